// src/nn/init.cpp: parameter initialization.
#include <cmath>
#include <vector>

#include <athanor/core/error.h>
#include <athanor/nn/init.h>

namespace athanor::nn::init {

namespace {

void check_floating(const char* fn, const Tensor& t) {
  ATHANOR_CHECK(t.defined() && t.is_floating_point(),
                "{}: expected a floating-point tensor, got {}", fn,
                t.defined() ? fmt::format("{}", t.dtype()) : std::string("an undefined one"));
}

int64_t fan(const Tensor& t, FanMode mode) {
  auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(t);
  return mode == FanMode::kFanIn ? fan_in : fan_out;
}

}  // namespace

double calculate_gain(std::string_view nonlinearity, double param) {
  if (nonlinearity == "linear" || nonlinearity == "identity" || nonlinearity == "sigmoid" ||
      nonlinearity.starts_with("conv"))
    return 1.0;
  if (nonlinearity == "tanh") return 5.0 / 3.0;
  if (nonlinearity == "relu") return std::sqrt(2.0);
  if (nonlinearity == "leaky_relu") return std::sqrt(2.0 / (1.0 + param * param));
  if (nonlinearity == "selu") return 3.0 / 4.0;
  ATHANOR_CHECK(false,
                "calculate_gain: unknown nonlinearity '{}'; expected linear, identity, conv1d, "
                "conv2d, sigmoid, tanh, relu, leaky_relu or selu",
                nonlinearity);
  return 0.0;
}

std::pair<int64_t, int64_t> calculate_fan_in_and_fan_out(const Tensor& t) {
  ATHANOR_CHECK(t.dim() >= 2,
                "fan in and fan out need a tensor with at least 2 dimensions, got shape {}",
                t.shape());
  int64_t receptive = 1;
  for (int d = 2; d < t.dim(); ++d) receptive *= t.shape(d);
  return {t.shape(1) * receptive, t.shape(0) * receptive};
}

void uniform_(const Tensor& t, double a, double b, Generator* gen) {
  check_floating("uniform_", t);
  if (t.numel() == 0) return;
  const_cast<Tensor&>(t).copy_(uniform(t.shape(), a, b, t.dtype(), gen));
}

void normal_(const Tensor& t, double mean, double std, Generator* gen) {
  check_floating("normal_", t);
  if (t.numel() == 0) return;
  const_cast<Tensor&>(t).copy_(normal(t.shape(), mean, std, t.dtype(), gen));
}

void constant_(const Tensor& t, double value) {
  ATHANOR_CHECK(t.defined(), "constant_: the tensor is undefined");
  const_cast<Tensor&>(t).fill_(value);
}
void zeros_(const Tensor& t) { constant_(t, 0.0); }
void ones_(const Tensor& t) { constant_(t, 1.0); }

void xavier_uniform_(const Tensor& t, double gain, Generator* gen) {
  check_floating("xavier_uniform_", t);
  auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(t);
  const double bound = gain * std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
  uniform_(t, -bound, bound, gen);
}

void xavier_normal_(const Tensor& t, double gain, Generator* gen) {
  check_floating("xavier_normal_", t);
  auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(t);
  normal_(t, 0.0, gain * std::sqrt(2.0 / static_cast<double>(fan_in + fan_out)), gen);
}

void kaiming_uniform_(const Tensor& t, const KaimingOptions& options, Generator* gen) {
  check_floating("kaiming_uniform_", t);
  const int64_t n = fan(t, options.mode);
  ATHANOR_CHECK(n > 0, "kaiming_uniform_: fan is 0 for shape {}", t.shape());
  const double gain = calculate_gain(options.nonlinearity, options.a);
  const double bound = gain * std::sqrt(3.0 / static_cast<double>(n));
  uniform_(t, -bound, bound, gen);
}

void kaiming_normal_(const Tensor& t, const KaimingOptions& options, Generator* gen) {
  check_floating("kaiming_normal_", t);
  const int64_t n = fan(t, options.mode);
  ATHANOR_CHECK(n > 0, "kaiming_normal_: fan is 0 for shape {}", t.shape());
  const double gain = calculate_gain(options.nonlinearity, options.a);
  normal_(t, 0.0, gain / std::sqrt(static_cast<double>(n)), gen);
}

void orthogonal_(const Tensor& t, double gain, Generator* gen) {
  check_floating("orthogonal_", t);
  ATHANOR_CHECK(t.dim() >= 2, "orthogonal_: expected at least 2 dimensions, got shape {}",
                t.shape());
  const int64_t rows = t.shape(0);
  const int64_t cols = t.numel() / rows;
  // QR of the tall matrix A (m x n, m >= n): the flat tensor or its transpose.
  const bool transpose = rows < cols;
  const int64_t m = transpose ? cols : rows;
  const int64_t n = transpose ? rows : cols;
  std::vector<double> a = normal(Shape{m, n}, 0.0, 1.0, kFloat64, gen).to_vector<double>();
  // Modified Gram-Schmidt on the columns of A gives Q (m x n) and R's diagonal; each column is
  // orthogonalized twice against the previous ones for accuracy.
  std::vector<double> q(static_cast<size_t>(m * n));
  auto at = [n](std::vector<double>& v, int64_t i, int64_t j) -> double& {
    return v[static_cast<size_t>(i * n + j)];
  };
  for (int64_t j = 0; j < n; ++j) {
    for (int64_t i = 0; i < m; ++i) at(q, i, j) = at(a, i, j);
    for (int pass = 0; pass < 2; ++pass) {
      for (int64_t k = 0; k < j; ++k) {
        double dot = 0;
        for (int64_t i = 0; i < m; ++i) dot += at(q, i, k) * at(q, i, j);
        for (int64_t i = 0; i < m; ++i) at(q, i, j) -= dot * at(q, i, k);
      }
    }
    double norm = 0;
    for (int64_t i = 0; i < m; ++i) norm += at(q, i, j) * at(q, i, j);
    norm = std::sqrt(norm);
    ATHANOR_CHECK(norm > 0, "orthogonal_: degenerate random matrix");
    // Gram-Schmidt makes R's diagonal positive already (r_jj = norm), so Q is Haar-distributed.
    for (int64_t i = 0; i < m; ++i) at(q, i, j) /= norm;
  }
  for (double& v : q) v *= gain;
  Tensor result = Tensor::from(q, Shape{m, n});
  if (transpose) result = result.t();
  const_cast<Tensor&>(t).copy_(result.reshape(t.shape()));
}

}  // namespace athanor::nn::init
