// include/athanor/tensor/tensor.h: Tensor, a cheap handle on shared storage with a shape, strides,
// an offset, a dtype and a device.
//
// Copying a Tensor copies the handle, not the data: views (reshape, transpose, narrow, expand, ...)
// share storage. Member functions are declared here for ergonomics and defined by the layer that
// owns them: metadata and data access by tensor/, autograd members by autograd/, the
// differentiable views and reductions by ops/.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <athanor/core/device.h>
#include <athanor/core/dtype.h>
#include <athanor/core/error.h>
#include <athanor/core/shape.h>
#include <athanor/tensor/storage.h>

namespace athanor {

struct AutogradMeta;  // defined by the autograd layer; opaque here
class Node;

/// The state behind a Tensor handle. Several handles may share one TensorImpl (copies of a Tensor)
/// and several TensorImpls one Storage (views).
struct TensorImpl {
  std::shared_ptr<Storage> storage;
  Shape shape;
  Shape strides;       // in elements
  int64_t offset = 0;  // in elements, from the start of storage
  DType dtype = kFloat32;
  std::shared_ptr<AutogradMeta> autograd;  // null unless the tensor takes part in autograd
};

class Tensor {
 public:
  /// An undefined tensor (no storage); most operations on it throw.
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  // ---- Metadata (tensor layer) ----
  bool defined() const { return impl_ != nullptr; }
  const Shape& shape() const { return impl().shape; }
  /// Size of dimension `dim` (negative counts from the end).
  int64_t shape(int dim) const;
  int64_t size(int dim) const { return shape(dim); }
  const Shape& strides() const { return impl().strides; }
  int64_t offset() const { return impl().offset; }
  int dim() const { return impl().shape.rank(); }
  int64_t numel() const { return impl().shape.numel(); }
  DType dtype() const { return impl().dtype; }
  Device device() const;
  bool is_floating_point() const { return athanor::is_floating(dtype()); }
  /// True when the elements are laid out in row-major order without gaps.
  bool is_contiguous() const;
  const std::shared_ptr<Storage>& storage() const { return impl().storage; }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }
  TensorImpl& impl() const;
  /// True when both handles share one TensorImpl (not merely storage).
  bool is_same(const Tensor& other) const { return impl_ == other.impl_; }

  // ---- Data access (tensor layer) ----
  /// Pointer to element 0, checking that T matches dtype().
  template <typename T>
  T* data_ptr() const;
  void* raw_data() const;
  /// The single value of a one-element tensor, converted to T.
  template <typename T = double>
  T item() const;
  /// All elements in row-major order, converted to T.
  template <typename T>
  std::vector<T> to_vector() const;

  /// A new handle on the same storage with the given layout (no autograd; for the ops layer).
  Tensor as_strided(const Shape& shape, const Shape& strides, int64_t offset) const;
  /// A new TensorImpl sharing this one's storage and layout, without autograd data.
  Tensor alias() const;

  // ---- In-place data operations, outside autograd (tensor layer) ----
  /// Sets every element to `value`.
  Tensor& fill_(double value);
  Tensor& zero_() { return fill_(0.0); }
  /// Copies `src` (broadcast to this shape, converted to this dtype) into this tensor's elements.
  Tensor& copy_(const Tensor& src);
  /// Makes every handle of this tensor see `src`'s storage, layout and dtype, keeping its
  /// autograd identity (as PyTorch's `param.data = src`): how a module converts or replaces a
  /// parameter that other handles (an optimizer, a container) also hold. A gradient that no longer
  /// matches the shape or dtype must be cleared by the caller.
  void set_data(const Tensor& src) const;

  // ---- Autograd (autograd layer) ----
  bool requires_grad() const;
  /// Marks a leaf tensor as needing gradients; returns *this.
  Tensor& set_requires_grad(bool requires_grad = true);
  /// The accumulated gradient of a leaf (undefined before the first backward).
  Tensor grad() const;
  void set_grad(const Tensor& grad) const;
  /// True for tensors not produced by a recorded operation.
  bool is_leaf() const;
  /// The node that produced this tensor, or null.
  std::shared_ptr<Node> grad_fn() const;
  /// Backpropagates from this tensor: `gradient` defaults to 1 for a one-element tensor and is
  /// required otherwise. Gradients accumulate into the leaves' grad(). The graph's saved values
  /// are freed afterwards unless `retain_graph`.
  void backward(const Tensor& gradient = Tensor(), bool retain_graph = false) const;
  /// The same data, cut from the graph.
  Tensor detach() const;

  // ---- Differentiable views, copies and reductions (ops layer) ----
  Tensor reshape(const Shape& shape) const;
  /// Like reshape, but never copies: throws when the layout cannot express the new shape.
  Tensor view(const Shape& shape) const;
  Tensor flatten(int start_dim = 0, int end_dim = -1) const;
  Tensor squeeze() const;
  Tensor squeeze(int dim) const;
  Tensor unsqueeze(int dim) const;
  Tensor transpose(int dim0, int dim1) const;
  /// The transpose of a matrix (dims 0 and 1 of a 2-D tensor).
  Tensor t() const;
  Tensor permute(const std::vector<int>& dims) const;
  /// Elements start .. start+length-1 of dimension `dim`, as a view.
  Tensor narrow(int dim, int64_t start, int64_t length) const;
  /// Python-style slice [start:end:step] of dimension `dim` (negative start/end count from the
  /// end).
  Tensor slice(int dim, int64_t start, int64_t end, int64_t step = 1) const;
  /// Element `index` of dimension `dim`, removing that dimension.
  Tensor select(int dim, int64_t index) const;
  Tensor expand(const Shape& shape) const;
  Tensor broadcast_to(const Shape& shape) const { return expand(shape); }
  Tensor contiguous() const;
  Tensor clone() const;
  Tensor to(DType dtype) const;
  Tensor sum() const;
  Tensor sum(const std::vector<int>& dims, bool keepdim = false) const;
  Tensor mean() const;
  Tensor mean(const std::vector<int>& dims, bool keepdim = false) const;

  /// Builds a tensor from a (nested) list; the dtype follows the C++ type (double -> float64,
  /// float -> float32, int / int64_t -> int64, uint8_t -> uint8, bool -> bool) unless given.
  template <typename T>
  static Tensor from(std::initializer_list<T> values, std::optional<DType> dtype = {});
  template <typename T>
  static Tensor from(std::initializer_list<std::initializer_list<T>> values,
                     std::optional<DType> dtype = {});
  template <typename T>
  static Tensor from(std::initializer_list<std::initializer_list<std::initializer_list<T>>> values,
                     std::optional<DType> dtype = {});
  /// From a flat vector and a shape whose element count matches.
  template <typename T>
  static Tensor from(const std::vector<T>& values, const Shape& shape,
                     std::optional<DType> dtype = {});

 private:
  std::shared_ptr<TensorImpl> impl_;
};

// ---- Creation (tensor layer) ----
/// Uninitialized storage.
Tensor empty(const Shape& shape, DType dtype = kFloat32, Device device = kCPU);
Tensor zeros(const Shape& shape, DType dtype = kFloat32, Device device = kCPU);
Tensor ones(const Shape& shape, DType dtype = kFloat32, Device device = kCPU);
Tensor full(const Shape& shape, double value, DType dtype = kFloat32, Device device = kCPU);
Tensor zeros_like(const Tensor& t);
Tensor ones_like(const Tensor& t);
Tensor empty_like(const Tensor& t);
/// A 0-dimensional tensor holding `value`.
Tensor scalar_tensor(double value, DType dtype = kFloat32, Device device = kCPU);
/// start, start+step, ... up to but excluding end. Without a dtype: int64 when start, end and
/// step are whole numbers, else float32 (as PyTorch infers from its arguments' types).
Tensor arange(double start, double end, double step = 1, std::optional<DType> dtype = {});
Tensor arange(int64_t end, DType dtype = kInt64);
/// `steps` evenly spaced values from start to end inclusive.
Tensor linspace(double start, double end, int64_t steps, DType dtype = kFloat32);
/// The n x m identity matrix (m defaults to n).
Tensor eye(int64_t n, std::optional<int64_t> m = {}, DType dtype = kFloat32);

class Generator;
/// Uniform in [low, high), from `gen` or the default generator.
Tensor rand(const Shape& shape, DType dtype = kFloat32, Generator* gen = nullptr);
Tensor uniform(const Shape& shape, double low, double high, DType dtype = kFloat32,
               Generator* gen = nullptr);
/// Normal with mean 0 and standard deviation 1 (or the given ones).
Tensor randn(const Shape& shape, DType dtype = kFloat32, Generator* gen = nullptr);
Tensor normal(const Shape& shape, double mean, double std, DType dtype = kFloat32,
              Generator* gen = nullptr);
/// 1 with probability p, else 0.
Tensor bernoulli(const Shape& shape, double p, DType dtype = kFloat32, Generator* gen = nullptr);
/// Integers uniform in [low, high).
Tensor randint(int64_t low, int64_t high, const Shape& shape, Generator* gen = nullptr);
/// A random permutation of 0 .. n-1 (int64).
Tensor randperm(int64_t n, Generator* gen = nullptr);

// ---- Printing (tensor layer) ----
/// Like PyTorch: "tensor([[1., 2.],\n        [3., 4.]], shape=[2, 2], dtype=float32)".
std::string to_string(const Tensor& t);
std::ostream& operator<<(std::ostream& os, const Tensor& t);

// ---- Template definitions ----
namespace detail {
Tensor tensor_from_buffer(const void* data, DType src_dtype, const Shape& shape,
                          std::optional<DType> dtype);
void check_dtype_access(const Tensor& t, DType requested, const char* what);
template <typename T>
constexpr DType list_dtype() {
  if constexpr (std::is_same_v<T, bool>)
    return kBool;
  else if constexpr (std::is_same_v<T, uint8_t>)
    return kUInt8;
  else if constexpr (std::is_integral_v<T>)
    return kInt64;
  else if constexpr (std::is_same_v<T, float>)
    return kFloat32;
  else
    return kFloat64;
}
template <typename T>
using list_storage_t = std::conditional_t<
    std::is_same_v<T, bool> || std::is_same_v<T, uint8_t>, uint8_t,
    std::conditional_t<std::is_integral_v<T>, int64_t,
                       std::conditional_t<std::is_same_v<T, float>, float, double>>>;
[[noreturn]] void throw_ragged(const std::string& entry, size_t got, size_t expected);
}  // namespace detail

template <typename T>
T* Tensor::data_ptr() const {
  detail::check_dtype_access(*this, dtype_of_v<T>, "data_ptr");
  return static_cast<T*>(raw_data());
}

template <typename T>
Tensor Tensor::from(std::initializer_list<T> values, std::optional<DType> dtype) {
  std::vector<detail::list_storage_t<T>> flat(values.begin(), values.end());
  return detail::tensor_from_buffer(flat.data(), detail::list_dtype<T>(),
                                    Shape{static_cast<int64_t>(values.size())}, dtype);
}

template <typename T>
Tensor Tensor::from(std::initializer_list<std::initializer_list<T>> values,
                    std::optional<DType> dtype) {
  std::vector<detail::list_storage_t<T>> flat;
  const size_t cols = values.size() ? values.begin()->size() : 0;
  size_t i = 0;
  for (const auto& row : values) {
    if (row.size() != cols) detail::throw_ragged(fmt::format("[{}]", i), row.size(), cols);
    flat.insert(flat.end(), row.begin(), row.end());
    ++i;
  }
  return detail::tensor_from_buffer(
      flat.data(), detail::list_dtype<T>(),
      Shape{static_cast<int64_t>(values.size()), static_cast<int64_t>(cols)}, dtype);
}

template <typename T>
Tensor Tensor::from(std::initializer_list<std::initializer_list<std::initializer_list<T>>> values,
                    std::optional<DType> dtype) {
  std::vector<detail::list_storage_t<T>> flat;
  const size_t rows = values.size() ? values.begin()->size() : 0;
  const size_t cols = rows ? values.begin()->begin()->size() : 0;
  size_t i = 0;
  for (const auto& plane : values) {
    if (plane.size() != rows) detail::throw_ragged(fmt::format("[{}]", i), plane.size(), rows);
    size_t j = 0;
    for (const auto& row : plane) {
      if (row.size() != cols) {
        detail::throw_ragged(fmt::format("[{}][{}]", i, j), row.size(), cols);
      }
      flat.insert(flat.end(), row.begin(), row.end());
      ++j;
    }
    ++i;
  }
  return detail::tensor_from_buffer(flat.data(), detail::list_dtype<T>(),
                                    Shape{static_cast<int64_t>(values.size()),
                                          static_cast<int64_t>(rows), static_cast<int64_t>(cols)},
                                    dtype);
}

template <typename T>
Tensor Tensor::from(const std::vector<T>& values, const Shape& shape, std::optional<DType> dtype) {
  ATHANOR_CHECK(static_cast<int64_t>(values.size()) == shape.numel(),
                "Tensor::from: {} values cannot fill shape {} ({} elements)", values.size(), shape,
                shape.numel());
  std::vector<detail::list_storage_t<T>> flat(values.begin(), values.end());
  return detail::tensor_from_buffer(flat.data(), detail::list_dtype<T>(), shape, dtype);
}

}  // namespace athanor

template <>
struct fmt::formatter<athanor::Tensor> : fmt::formatter<std::string> {
  auto format(const athanor::Tensor& t, format_context& ctx) const {
    return fmt::formatter<std::string>::format(athanor::to_string(t), ctx);
  }
};
