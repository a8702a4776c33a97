// src/ops/join.cpp: concat (a primitive: copies into slices of the result; the gradient is the
// matching slice of dy), and stack, split and chunk composed from views.
#include <athanor/ops/join.h>
#include <athanor/ops/shape.h>

#include "ops/op_utils.h"

namespace athanor {

Tensor concat(const std::vector<Tensor>& tensors, int dim) {
  ATHANOR_CHECK(!tensors.empty(), "concat: expected at least one tensor");
  const Tensor& first = tensors.front();
  ATHANOR_CHECK(first.dim() > 0, "concat: cannot concatenate 0-dimensional tensors");
  const int d = normalize_dim(dim, first.dim(), "concat");
  DType dtype = first.dtype();
  Shape shape = first.shape();
  shape[d] = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    ops::check_same_device("concat", first, t);
    bool same = t.dim() == first.dim();
    for (int k = 0; same && k < t.dim(); ++k) same = k == d || t.shape()[k] == first.shape()[k];
    ATHANOR_CHECK(same,
                  "concat: tensor {} has shape {}, but tensor 0 has shape {}; expected equal sizes "
                  "except in dimension {}",
                  i, t.shape(), first.shape(), d);
    shape[d] += t.shape()[d];
    dtype = promote_types(dtype, t.dtype());
  }
  Tensor out = empty(shape, dtype, first.device());
  std::vector<int64_t> offsets;
  int64_t at = 0;
  for (const Tensor& t : tensors) {
    offsets.push_back(at);
    Shape s = out.shape();
    s[d] = t.shape()[d];
    out.as_strided(s, out.strides(), at * out.strides()[d]).copy_(t);
    at += t.shape()[d];
  }
  // The gradient of each input is its slice of dy (only sizes and dtypes are kept, not inputs).
  std::vector<int64_t> sizes;
  std::vector<DType> dtypes;
  for (const Tensor& t : tensors) {
    sizes.push_back(t.shape()[d]);
    dtypes.push_back(t.dtype());
  }
  return with_backward("concat", out, std::span<const Tensor>(tensors),
                       [d, offsets, sizes, dtypes](const Tensor& dy) {
                         Grads grads;
                         for (size_t i = 0; i < sizes.size(); ++i) {
                           grads.push_back(to(narrow(dy, d, offsets[i], sizes[i]), dtypes[i]));
                         }
                         return grads;
                       });
}

Tensor stack(const std::vector<Tensor>& tensors, int dim) {
  ATHANOR_CHECK(!tensors.empty(), "stack: expected at least one tensor");
  const int d = normalize_dim(dim, tensors.front().dim() + 1, "stack");
  std::vector<Tensor> expanded;
  for (size_t i = 0; i < tensors.size(); ++i) {
    ATHANOR_CHECK(tensors[i].shape() == tensors.front().shape(),
                  "stack: tensor {} has shape {}, but tensor 0 has shape {}; expected equal shapes",
                  i, tensors[i].shape(), tensors.front().shape());
    expanded.push_back(unsqueeze(tensors[i], d));
  }
  return concat(expanded, d);
}

std::vector<Tensor> split(const Tensor& x, const std::vector<int64_t>& sizes, int dim) {
  const int d = normalize_dim(dim, x.dim(), "split");
  int64_t total = 0;
  for (int64_t s : sizes) {
    ATHANOR_CHECK(s >= 0, "split: negative size {} in [{}]", s, fmt::join(sizes, ", "));
    total += s;
  }
  ATHANOR_CHECK(total == x.shape()[d],
                "split: sizes [{}] add up to {}, but dimension {} has size {} (shape {})",
                fmt::join(sizes, ", "), total, dim, x.shape()[d], x.shape());
  std::vector<Tensor> parts;
  int64_t at = 0;
  for (int64_t s : sizes) {
    parts.push_back(narrow(x, d, at, s));
    at += s;
  }
  return parts;
}

std::vector<Tensor> split(const Tensor& x, int64_t split_size, int dim) {
  ATHANOR_CHECK(split_size > 0, "split: expected a positive split_size, got {}", split_size);
  const int64_t n = x.shape()[normalize_dim(dim, x.dim(), "split")];
  std::vector<int64_t> sizes;
  for (int64_t at = 0; at < n; at += split_size) sizes.push_back(std::min(split_size, n - at));
  if (sizes.empty()) sizes.push_back(0);  // an empty dimension splits into one empty piece
  return split(x, sizes, dim);
}

std::vector<Tensor> chunk(const Tensor& x, int64_t chunks, int dim) {
  ATHANOR_CHECK(chunks > 0, "chunk: expected a positive number of chunks, got {}", chunks);
  const int64_t n = x.shape()[normalize_dim(dim, x.dim(), "chunk")];
  return split(x, std::max<int64_t>(1, (n + chunks - 1) / chunks), dim);
}

}  // namespace athanor
