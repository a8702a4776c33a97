// src/tensor/tensor.cpp: Tensor metadata, data access, layout helpers and in-place data ops.
#include <utility>

#include <athanor/tensor/tensor.h>

#include "tensor/kernel_view.h"

namespace athanor {

TensorImpl& Tensor::impl() const {
  ATHANOR_CHECK(impl_ != nullptr, "tensor: operation on an undefined tensor");
  return *impl_;
}

int64_t Tensor::shape(int dim) const {
  return impl().shape[normalize_dim(dim, this->dim(), "shape")];
}

Device Tensor::device() const { return impl().storage->device(); }

bool Tensor::is_contiguous() const {
  const TensorImpl& i = impl();
  if (i.shape.numel() == 0) return true;  // as in PyTorch: no element is out of place
  int64_t expected = 1;
  for (int d = i.shape.rank() - 1; d >= 0; --d) {
    if (i.shape[d] == 1) continue;
    if (i.strides[d] != expected) return false;
    expected *= i.shape[d];
  }
  return true;
}

void* Tensor::raw_data() const {
  const TensorImpl& i = impl();
  return static_cast<char*>(i.storage->data()) + i.offset * itemsize(i.dtype);
}

namespace detail {

void check_dtype_access(const Tensor& t, DType requested, const char* what) {
  ATHANOR_CHECK(t.dtype() == requested, "{}: the tensor holds {}, not {}", what, t.dtype(),
                requested);
}

[[noreturn]] void throw_ragged(const std::string& entry, size_t got, size_t expected) {
  throw Error(
      fmt::format("Tensor::from: ragged nested list: entry {} has {} element{}, expected {}", entry,
                  got, got == 1 ? "" : "s", expected));
}

Tensor tensor_from_buffer(const void* data, DType src_dtype, const Shape& shape,
                          std::optional<DType> dtype) {
  Tensor out = empty(shape, dtype.value_or(src_dtype));
  backend::View sv{const_cast<void*>(data), src_dtype, shape, contiguous_strides(shape)};
  kernels_for(out, "Tensor::from").copy(sv, kernel_view(out));
  return out;
}

}  // namespace detail

template <typename T>
T Tensor::item() const {
  ATHANOR_CHECK(numel() == 1,
                "item: expected a tensor with one element, got shape {} ({} elements)", shape(),
                numel());
  T value{};
  backend::View dst{&value, dtype_of_v<T>, shape(), contiguous_strides(shape())};
  kernels_for(*this, "item").copy(kernel_view(*this), dst);
  return value;
}

template <typename T>
std::vector<T> Tensor::to_vector() const {
  if constexpr (std::is_same_v<T, bool>) {
    std::vector<uint8_t> bytes(static_cast<size_t>(numel()));
    backend::View dst{bytes.data(), kBool, shape(), contiguous_strides(shape())};
    kernels_for(*this, "to_vector").copy(kernel_view(*this), dst);
    return {bytes.begin(), bytes.end()};
  } else {
    std::vector<T> values(static_cast<size_t>(numel()));
    backend::View dst{values.data(), dtype_of_v<T>, shape(), contiguous_strides(shape())};
    kernels_for(*this, "to_vector").copy(kernel_view(*this), dst);
    return values;
  }
}

#define ATHANOR_INSTANTIATE(T)        \
  template T Tensor::item<T>() const; \
  template std::vector<T> Tensor::to_vector<T>() const;
ATHANOR_INSTANTIATE(bool)
ATHANOR_INSTANTIATE(uint8_t)
ATHANOR_INSTANTIATE(int64_t)
ATHANOR_INSTANTIATE(float)
ATHANOR_INSTANTIATE(double)
#undef ATHANOR_INSTANTIATE

Tensor Tensor::as_strided(const Shape& shape, const Shape& strides, int64_t offset) const {
  const TensorImpl& i = impl();
  ATHANOR_ASSERT(shape.rank() == strides.rank());
  return Tensor(std::make_shared<TensorImpl>(
      TensorImpl{i.storage, shape, strides, offset, i.dtype, nullptr}));
}

Tensor Tensor::alias() const {
  const TensorImpl& i = impl();
  return as_strided(i.shape, i.strides, i.offset);
}

Tensor& Tensor::fill_(double value) {
  kernels_for(*this, "fill_").fill(kernel_view(*this), value);
  return *this;
}

namespace {

// The bytes [first, last) that a tensor's elements can occupy within its storage.
std::pair<int64_t, int64_t> byte_span(const Tensor& t) {
  int64_t lo = t.offset(), hi = t.offset();
  for (int d = 0; d < t.dim(); ++d) {
    const int64_t reach = (t.shape()[d] - 1) * t.strides()[d];
    (reach < 0 ? lo : hi) += reach;
  }
  return {lo * itemsize(t.dtype()), (hi + 1) * itemsize(t.dtype())};
}

}  // namespace

void Tensor::set_data(const Tensor& src) const {
  TensorImpl& to = impl();
  const TensorImpl& from = src.impl();
  to.storage = from.storage;
  to.shape = from.shape;
  to.strides = from.strides;
  to.offset = from.offset;
  to.dtype = from.dtype;
}

Tensor& Tensor::copy_(const Tensor& src) {
  ATHANOR_CHECK(src.device() == device(), "copy_: source is on {} and destination on {}",
                src.device(), device());
  const backend::View from = broadcast_view(src, shape(), "copy_");
  if (numel() == 0) return *this;
  if (src.storage() == storage()) {
    const auto [a0, a1] = byte_span(src);
    const auto [b0, b1] = byte_span(*this);
    if (a0 < b1 && b0 < a1) {
      // The source overlaps the destination (an in-place transpose, a shifted slice): read all of
      // it before writing, so the result is as if the source had been copied first.
      Tensor tmp = empty(src.shape(), src.dtype(), src.device());
      kernels_for(tmp, "copy_").copy(kernel_view(src), kernel_view(tmp));
      return copy_(tmp);
    }
  }
  kernels_for(*this, "copy_").copy(from, kernel_view(*this));
  return *this;
}

backend::View broadcast_view(const Tensor& t, const Shape& shape, const char* op) {
  backend::View v = kernel_view(t);
  if (v.shape == shape) return v;
  const int rank = shape.rank();
  ATHANOR_CHECK(t.dim() <= rank,
                "{}: cannot broadcast shape {} to {}: it has more dimensions ({} > {})", op,
                t.shape(), shape, t.dim(), rank);
  Shape strides;
  strides.resize(rank);
  for (int d = 0; d < rank; ++d) {
    const int src = d - (rank - t.dim());
    if (src < 0) continue;
    const int64_t n = t.shape()[src];
    ATHANOR_CHECK(n == shape[d] || n == 1,
                  "{}: cannot broadcast shape {} to {}: dimension {} has size {}, expected {} "
                  "or 1",
                  op, t.shape(), shape, d, n, shape[d]);
    strides[d] = n == 1 ? 0 : t.strides()[src];
  }
  v.shape = shape;
  v.strides = strides;
  return v;
}

}  // namespace athanor
