// src/ops/tensor_methods.cpp: the Tensor members that forward to differentiable ops.
#include <athanor/ops/reduce.h>
#include <athanor/ops/shape.h>

namespace athanor {

Tensor Tensor::reshape(const Shape& shape) const { return athanor::reshape(*this, shape); }
Tensor Tensor::view(const Shape& shape) const { return athanor::view(*this, shape); }
Tensor Tensor::flatten(int start_dim, int end_dim) const {
  return athanor::flatten(*this, start_dim, end_dim);
}
Tensor Tensor::squeeze() const { return athanor::squeeze(*this); }
Tensor Tensor::squeeze(int dim) const { return athanor::squeeze(*this, dim); }
Tensor Tensor::unsqueeze(int dim) const { return athanor::unsqueeze(*this, dim); }
Tensor Tensor::transpose(int dim0, int dim1) const { return athanor::transpose(*this, dim0, dim1); }
Tensor Tensor::t() const {
  ATHANOR_CHECK(dim() <= 2, "t: expected a tensor of at most 2 dimensions, got shape {}", shape());
  return dim() < 2 ? *this : athanor::transpose(*this, 0, 1);
}
Tensor Tensor::permute(const std::vector<int>& dims) const { return athanor::permute(*this, dims); }
Tensor Tensor::narrow(int dim, int64_t start, int64_t length) const {
  return athanor::narrow(*this, dim, start, length);
}
Tensor Tensor::slice(int dim, int64_t start, int64_t end, int64_t step) const {
  return athanor::slice(*this, dim, start, end, step);
}
Tensor Tensor::select(int dim, int64_t index) const { return athanor::select(*this, dim, index); }
Tensor Tensor::expand(const Shape& shape) const { return athanor::expand(*this, shape); }
Tensor Tensor::contiguous() const { return athanor::contiguous(*this); }
Tensor Tensor::clone() const { return athanor::clone(*this); }
Tensor Tensor::to(DType dtype) const { return athanor::to(*this, dtype); }
Tensor Tensor::sum() const { return athanor::sum(*this); }
Tensor Tensor::sum(const std::vector<int>& dims, bool keepdim) const {
  return athanor::sum(*this, dims, keepdim);
}
Tensor Tensor::mean() const { return athanor::mean(*this); }
Tensor Tensor::mean(const std::vector<int>& dims, bool keepdim) const {
  return athanor::mean(*this, dims, keepdim);
}

}  // namespace athanor
