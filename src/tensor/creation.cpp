// src/tensor/creation.cpp: tensor factories: empty, zeros, ones, full, arange, linspace, eye and
// the random ones.
#include <cmath>

#include <athanor/core/random.h>
#include <athanor/tensor/tensor.h>

#include "tensor/kernel_view.h"

namespace athanor {

Tensor empty(const Shape& shape, DType dtype, Device device) {
  for (int64_t d : shape) {
    ATHANOR_CHECK(d >= 0, "empty: negative dimension in shape {}", shape);
  }
  auto storage = std::make_shared<Storage>(shape.numel() * itemsize(dtype), device);
  return Tensor(std::make_shared<TensorImpl>(
      TensorImpl{std::move(storage), shape, contiguous_strides(shape), 0, dtype, nullptr}));
}

Tensor full(const Shape& shape, double value, DType dtype, Device device) {
  Tensor t = empty(shape, dtype, device);
  t.fill_(value);
  return t;
}

Tensor zeros(const Shape& shape, DType dtype, Device device) {
  return full(shape, 0.0, dtype, device);
}
Tensor ones(const Shape& shape, DType dtype, Device device) {
  return full(shape, 1.0, dtype, device);
}
Tensor empty_like(const Tensor& t) { return empty(t.shape(), t.dtype(), t.device()); }
Tensor zeros_like(const Tensor& t) { return zeros(t.shape(), t.dtype(), t.device()); }
Tensor ones_like(const Tensor& t) { return ones(t.shape(), t.dtype(), t.device()); }
Tensor scalar_tensor(double value, DType dtype, Device device) {
  return full(Shape{}, value, dtype, device);
}

Tensor arange(double start, double end, double step, std::optional<DType> dtype) {
  ATHANOR_CHECK(step != 0, "arange: step must be nonzero");
  ATHANOR_CHECK(std::isfinite(start) && std::isfinite(end) && std::isfinite(step),
                "arange: expected finite start, end and step, got {}, {}, {}", start, end, step);
  ATHANOR_CHECK((end - start) / step >= 0, "arange: step {} goes away from end: start={} end={}",
                step, start, end);
  const auto n = static_cast<int64_t>(std::ceil((end - start) / step));
  const bool whole =
      start == std::trunc(start) && end == std::trunc(end) && step == std::trunc(step);
  Tensor t = empty(Shape{n}, dtype.value_or(whole ? kInt64 : kFloat32));
  kernels_for(t, "arange").iota(kernel_view(t), start, step);
  return t;
}

Tensor arange(int64_t end, DType dtype) {
  return arange(0.0, static_cast<double>(end), 1.0, dtype);
}

Tensor linspace(double start, double end, int64_t steps, DType dtype) {
  ATHANOR_CHECK(steps >= 0, "linspace: expected steps >= 0, got {}", steps);
  Tensor t = empty(Shape{steps}, dtype);
  const double step = steps > 1 ? (end - start) / static_cast<double>(steps - 1) : 0.0;
  kernels_for(t, "linspace").iota(kernel_view(t), start, step);
  if (steps > 1) t.as_strided(Shape{1}, Shape{1}, steps - 1).fill_(end);  // hit `end` exactly
  return t;
}

Tensor eye(int64_t n, std::optional<int64_t> m, DType dtype) {
  const int64_t cols = m.value_or(n);
  ATHANOR_CHECK(n >= 0 && cols >= 0, "eye: expected non-negative sizes, got {} x {}", n, cols);
  Tensor t = zeros(Shape{n, cols}, dtype);
  // The diagonal is a strided view with stride cols + 1.
  t.as_strided(Shape{std::min(n, cols)}, Shape{cols + 1}, 0).fill_(1.0);
  return t;
}

namespace {

Generator& pick(Generator* gen) { return gen ? *gen : default_generator(); }

void check_random_dtype(DType dtype, const char* op) {
  ATHANOR_CHECK(is_floating(dtype), "{}: expected a floating-point dtype, got {}", op, dtype);
}

// The fills in core/random.cpp check their arguments too, but name themselves; these checks name
// the factory the caller used.
Tensor uniform_as(const char* op, const Shape& shape, double low, double high, DType dtype,
                  Generator* gen) {
  check_random_dtype(dtype, op);
  ATHANOR_CHECK(low < high, "{}: expected low < high, got low={} and high={}", op, low, high);
  Tensor t = empty(shape, dtype);
  if (dtype == kFloat32)
    fill_uniform(pick(gen), t.data_ptr<float>(), t.numel(), low, high);
  else
    fill_uniform(pick(gen), t.data_ptr<double>(), t.numel(), low, high);
  return t;
}

Tensor normal_as(const char* op, const Shape& shape, double mean, double stddev, DType dtype,
                 Generator* gen) {
  check_random_dtype(dtype, op);
  ATHANOR_CHECK(stddev >= 0, "{}: expected std >= 0, got {}", op, stddev);
  Tensor t = empty(shape, dtype);
  if (dtype == kFloat32)
    fill_normal(pick(gen), t.data_ptr<float>(), t.numel(), mean, stddev);
  else
    fill_normal(pick(gen), t.data_ptr<double>(), t.numel(), mean, stddev);
  return t;
}

}  // namespace

Tensor uniform(const Shape& shape, double low, double high, DType dtype, Generator* gen) {
  return uniform_as("uniform", shape, low, high, dtype, gen);
}

Tensor rand(const Shape& shape, DType dtype, Generator* gen) {
  return uniform_as("rand", shape, 0.0, 1.0, dtype, gen);
}

Tensor normal(const Shape& shape, double mean, double std, DType dtype, Generator* gen) {
  return normal_as("normal", shape, mean, std, dtype, gen);
}

Tensor randn(const Shape& shape, DType dtype, Generator* gen) {
  return normal_as("randn", shape, 0.0, 1.0, dtype, gen);
}

Tensor bernoulli(const Shape& shape, double p, DType dtype, Generator* gen) {
  ATHANOR_CHECK(p >= 0 && p <= 1, "bernoulli: expected a probability p in [0, 1], got {}", p);
  Tensor t = empty(shape, dtype);
  switch (dtype) {
    case kFloat32:
      fill_bernoulli(pick(gen), t.data_ptr<float>(), t.numel(), p);
      break;
    case kFloat64:
      fill_bernoulli(pick(gen), t.data_ptr<double>(), t.numel(), p);
      break;
    case kUInt8:
    case kBool:
      fill_bernoulli(pick(gen), static_cast<uint8_t*>(t.raw_data()), t.numel(), p);
      break;
    case kInt64: {
      Tensor u8 = bernoulli(shape, p, kUInt8, gen);
      t.copy_(u8);
      break;
    }
  }
  return t;
}

Tensor randint(int64_t low, int64_t high, const Shape& shape, Generator* gen) {
  ATHANOR_CHECK(low < high, "randint: expected low < high, got low={} and high={}", low, high);
  Tensor t = empty(shape, kInt64);
  fill_randint(pick(gen), t.data_ptr<int64_t>(), t.numel(), low, high);
  return t;
}

Tensor randperm(int64_t n, Generator* gen) {
  ATHANOR_CHECK(n >= 0, "randperm: expected n >= 0, got {}", n);
  std::vector<int64_t> p = athanor::randperm(pick(gen), n);
  return Tensor::from(p, Shape{n});
}

}  // namespace athanor
