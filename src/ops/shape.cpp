// src/ops/shape.cpp: differentiable views (reshape, view, squeeze, unsqueeze, transpose, permute,
// narrow, slice, select, expand) and copies (contiguous, clone, to).
//
// A view shares storage and only changes shape, strides and offset; its backward maps the
// gradient back to the input's layout: reshape back, transpose back, pad a slice with zeros, sum
// over expanded dimensions.
#include <numeric>

#include <athanor/ops/reduce.h>
#include <athanor/ops/shape.h>

#include "ops/op_utils.h"

namespace athanor {
namespace {

// Resolves one -1 in `shape` against `numel`, checking the element count.
Shape infer_shape(const Shape& shape, int64_t numel, const Shape& from, const char* op) {
  Shape out = shape;
  int infer = -1;
  int64_t known = 1;
  for (int d = 0; d < out.rank(); ++d) {
    if (out[d] == -1) {
      ATHANOR_CHECK(infer < 0, "{}: only one dimension can be -1, got shape {}", op, shape);
      infer = d;
    } else {
      ATHANOR_CHECK(out[d] >= 0, "{}: invalid size {} in shape {}", op, out[d], shape);
      known *= out[d];
    }
  }
  if (infer >= 0) {
    ATHANOR_CHECK(known != 0 && numel % known == 0,
                  "{}: cannot reshape a tensor of shape {} ({} elements) into {}", op, from, numel,
                  shape);
    out[infer] = numel / known;
  }
  ATHANOR_CHECK(out.numel() == numel,
                "{}: cannot reshape a tensor of shape {} ({} elements) into {} ({} elements)", op,
                from, numel, out, out.numel());
  return out;
}

// Strides that let `shape` view memory laid out as (old_shape, old_strides), if any (the
// algorithm of PyTorch's computeStride: match runs of contiguous dimensions).
std::optional<Shape> view_strides(const Shape& old_shape, const Shape& old_strides,
                                  const Shape& shape) {
  Shape strides;
  strides.resize(shape.rank());
  if (old_shape.numel() == 0 || old_shape.rank() == 0) return contiguous_strides(shape);
  int view_d = shape.rank() - 1;
  int64_t chunk_base_stride = old_strides.back();
  int64_t tensor_numel = 1, view_numel = 1;
  for (int d = old_shape.rank() - 1; d >= 0; --d) {
    tensor_numel *= old_shape[d];
    if (d == 0 ||
        (old_shape[d - 1] != 1 && old_strides[d - 1] != tensor_numel * chunk_base_stride)) {
      while (view_d >= 0 && (view_numel < tensor_numel || shape[view_d] == 1)) {
        strides[view_d] = view_numel * chunk_base_stride;
        view_numel *= shape[view_d];
        --view_d;
      }
      if (view_numel != tensor_numel) return std::nullopt;
      if (d > 0) {
        chunk_base_stride = old_strides[d - 1];
        tensor_numel = 1;
        view_numel = 1;
      }
    }
  }
  if (view_d != -1) return std::nullopt;
  return strides;
}

Tensor make_view(const char* name, const Tensor& x, const Shape& shape, const Shape& strides,
                 int64_t offset) {
  Tensor y = x.as_strided(shape, strides, offset);
  return with_backward(name, y, {x}, [in_shape = x.shape()](const Tensor& dy) {
    return Grads{reshape(dy, in_shape)};
  });
}

struct Layout {
  Shape shape, strides;
  int64_t offset;
};

Layout slice_layout(const Tensor& x, int dim, int64_t start, int64_t end, int64_t step,
                    const char* op) {
  const int d = normalize_dim(dim, x.dim(), op);
  ATHANOR_CHECK(x.dim() > 0, "{}: cannot slice a 0-dimensional tensor", op);
  ATHANOR_CHECK(step > 0, "{}: expected a positive step, got {}", op, step);
  const int64_t n = x.shape()[d];
  if (start < 0) start += n;
  if (end < 0) end += n;
  start = std::clamp<int64_t>(start, 0, n);
  end = std::clamp<int64_t>(end, start, n);
  Layout l{x.shape(), x.strides(), x.offset() + start * x.strides()[d]};
  l.shape[d] = (end - start + step - 1) / step;
  l.strides[d] *= step;
  return l;
}

}  // namespace

Tensor view(const Tensor& x, const Shape& shape) {
  const Shape s = infer_shape(shape, x.numel(), x.shape(), "view");
  auto strides = view_strides(x.shape(), x.strides(), s);
  ATHANOR_CHECK(strides.has_value(),
                "view: a tensor of shape {} and strides {} cannot be viewed as {}; use reshape() "
                "(which copies) or contiguous() first",
                x.shape(), x.strides(), s);
  return make_view("view", x, s, *strides, x.offset());
}

Tensor reshape(const Tensor& x, const Shape& shape) {
  const Shape s = infer_shape(shape, x.numel(), x.shape(), "reshape");
  if (s == x.shape()) return x;
  if (auto strides = view_strides(x.shape(), x.strides(), s)) {
    return make_view("reshape", x, s, *strides, x.offset());
  }
  return view(contiguous(x), s);
}

Tensor flatten(const Tensor& x, int start_dim, int end_dim) {
  if (x.dim() == 0) return reshape(x, Shape{1});
  const int s = normalize_dim(start_dim, x.dim(), "flatten");
  const int e = normalize_dim(end_dim, x.dim(), "flatten");
  ATHANOR_CHECK(s <= e, "flatten: start_dim {} comes after end_dim {}", start_dim, end_dim);
  Shape shape;
  for (int d = 0; d < s; ++d) shape.push_back(x.shape()[d]);
  int64_t n = 1;
  for (int d = s; d <= e; ++d) n *= x.shape()[d];
  shape.push_back(n);
  for (int d = e + 1; d < x.dim(); ++d) shape.push_back(x.shape()[d]);
  return reshape(x, shape);
}

Tensor squeeze(const Tensor& x) {
  Shape shape, strides;
  for (int d = 0; d < x.dim(); ++d) {
    if (x.shape()[d] == 1) continue;
    shape.push_back(x.shape()[d]);
    strides.push_back(x.strides()[d]);
  }
  if (shape.rank() == x.dim()) return x;
  return make_view("squeeze", x, shape, strides, x.offset());
}

Tensor squeeze(const Tensor& x, int dim) {
  if (x.dim() == 0) return x;
  const int d = normalize_dim(dim, x.dim(), "squeeze");
  if (x.shape()[d] != 1) return x;
  Shape shape = x.shape(), strides = x.strides();
  shape.erase(d);
  strides.erase(d);
  return make_view("squeeze", x, shape, strides, x.offset());
}

Tensor unsqueeze(const Tensor& x, int dim) {
  const int d = normalize_dim(dim, x.dim() + 1, "unsqueeze");
  Shape shape = x.shape(), strides = x.strides();
  const int64_t stride = d < x.dim() ? x.strides()[d] * x.shape()[d] : 1;
  shape.insert(d, 1);
  strides.insert(d, stride);
  return make_view("unsqueeze", x, shape, strides, x.offset());
}

Tensor permute(const Tensor& x, const std::vector<int>& dims) {
  ATHANOR_CHECK(static_cast<int>(dims.size()) == x.dim(),
                "permute: expected {} dimensions for a tensor of shape {}, got {}", x.dim(),
                x.shape(), dims.size());
  Shape shape, strides;
  std::vector<int> inverse(dims.size(), -1);
  for (size_t i = 0; i < dims.size(); ++i) {
    const int d = normalize_dim(dims[i], x.dim(), "permute");
    ATHANOR_CHECK(inverse[static_cast<size_t>(d)] < 0,
                  "permute: dimension {} appears twice in [{}]", d, fmt::join(dims, ", "));
    inverse[static_cast<size_t>(d)] = static_cast<int>(i);
    shape.push_back(x.shape()[d]);
    strides.push_back(x.strides()[d]);
  }
  Tensor y = x.as_strided(shape, strides, x.offset());
  return with_backward("permute", y, {x},
                       [inverse](const Tensor& dy) { return Grads{permute(dy, inverse)}; });
}

Tensor transpose(const Tensor& x, int dim0, int dim1) {
  if (x.dim() == 0) return x;
  const int a = normalize_dim(dim0, x.dim(), "transpose");
  const int b = normalize_dim(dim1, x.dim(), "transpose");
  std::vector<int> dims(static_cast<size_t>(x.dim()));
  std::iota(dims.begin(), dims.end(), 0);
  std::swap(dims[static_cast<size_t>(a)], dims[static_cast<size_t>(b)]);
  return permute(x, dims);
}

Tensor slice(const Tensor& x, int dim, int64_t start, int64_t end, int64_t step) {
  const Layout l = slice_layout(x, dim, start, end, step, "slice");
  Tensor y = x.as_strided(l.shape, l.strides, l.offset);
  return with_backward(
      "slice", y, {x},
      [x_shape = x.shape(), x_dtype = x.dtype(), dim, start, end, step](const Tensor& dy) {
        Tensor dx = zeros(x_shape, x_dtype, dy.device());
        const Layout g = slice_layout(dx, dim, start, end, step, "slice");
        dx.as_strided(g.shape, g.strides, g.offset).copy_(dy);
        return Grads{dx};
      });
}

Tensor narrow(const Tensor& x, int dim, int64_t start, int64_t length) {
  ATHANOR_CHECK(x.dim() > 0, "narrow: cannot narrow a 0-dimensional tensor");
  const int d = normalize_dim(dim, x.dim(), "narrow");
  const int64_t n = x.shape()[d];
  if (start < 0) start += n;
  ATHANOR_CHECK(start >= 0 && length >= 0 && start + length <= n,
                "narrow: elements {} to {} are out of range for dimension {} of size {} (shape {})",
                start, start + length, dim, n, x.shape());
  return slice(x, d, start, start + length);
}

Tensor select(const Tensor& x, int dim, int64_t index) {
  ATHANOR_CHECK(x.dim() > 0, "select: cannot select from a 0-dimensional tensor");
  const int d = normalize_dim(dim, x.dim(), "select");
  const int64_t n = x.shape()[d];
  ATHANOR_CHECK(index >= -n && index < n,
                "select: index {} is out of range for dimension {} of size {} (shape {})", index,
                dim, n, x.shape());
  return squeeze(narrow(x, d, index < 0 ? index + n : index, 1), d);
}

Tensor expand(const Tensor& x, const Shape& shape) {
  ATHANOR_CHECK(shape.rank() >= x.dim(),
                "expand: cannot expand shape {} to {}, which has fewer dimensions", x.shape(),
                shape);
  Shape target = shape;
  for (int d = 0; d < target.rank(); ++d) {
    const int src = d - (target.rank() - x.dim());
    if (target[d] == -1) {
      ATHANOR_CHECK(src >= 0, "expand: -1 is not allowed for the new leading dimension {}", d);
      target[d] = x.shape()[src];
    }
  }
  if (target == x.shape()) return x;
  const backend::View v = broadcast_view(x, target);
  Tensor y = x.as_strided(target, v.strides, x.offset());
  return with_backward("expand", y, {x}, [in_shape = x.shape()](const Tensor& dy) {
    return Grads{sum_to(dy, in_shape)};
  });
}

Tensor clone(const Tensor& x) {
  Tensor y = empty(x.shape(), x.dtype(), x.device());
  y.copy_(x);
  return with_backward("clone", y, {x}, [](const Tensor& dy) { return Grads{dy}; });
}

Tensor contiguous(const Tensor& x) {
  if (x.is_contiguous()) return x;
  Tensor y = empty(x.shape(), x.dtype(), x.device());
  y.copy_(x);
  return with_backward("contiguous", y, {x}, [](const Tensor& dy) { return Grads{dy}; });
}

Tensor to(const Tensor& x, DType dtype) {
  if (x.dtype() == dtype) return x;
  Tensor y = empty(x.shape(), dtype, x.device());
  y.copy_(x);
  if (!x.is_floating_point()) return y;
  return with_backward("to", y, {x},
                       [from = x.dtype()](const Tensor& dy) { return Grads{to(dy, from)}; });
}

}  // namespace athanor
