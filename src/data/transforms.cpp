// src/data/transforms.cpp: Standardize, MinMax, scale_to_unit, one_hot_targets and the image
// augmentations. N images, C channels, H rows, W columns.
#include <algorithm>
#include <cmath>
#include <string>

#include <athanor/autograd/grad_mode.h>
#include <athanor/core/error.h>
#include <athanor/data/transforms.h>
#include <athanor/ops/binary.h>
#include <athanor/ops/compare.h>
#include <athanor/ops/index.h>
#include <athanor/ops/reduce.h>
#include <athanor/ops/unary.h>

namespace athanor::data {
namespace {

/// Dims to reduce for fitting, normalised; they must include 0 (the examples).
std::vector<int> fit_dims(const char* op, const Tensor& inputs, const std::vector<int>& dims) {
  ATHANOR_CHECK(inputs.defined() && inputs.dim() >= 1 && inputs.shape(0) >= 1,
                "{}: fit expected inputs [N, ...] with N >= 1, got shape {}", op,
                inputs.defined() ? to_string(inputs.shape()) : "undefined");
  std::vector<int> out;
  for (int d : dims) out.push_back(normalize_dim(d, inputs.dim(), op));
  ATHANOR_CHECK(std::find(out.begin(), out.end(), 0) != out.end(),
                "{}: fit dims must include 0 (statistics over the examples), got {}", op,
                fmt::join(dims, ", "));
  return out;
}

/// A fitted statistic [1, ...] (keepdim) as the shape of one example.
Tensor drop_example_dim(const Tensor& stat) {
  Shape s = stat.shape();
  s.erase(0);
  return stat.reshape(s).contiguous();
}

/// x must be floating and its trailing dims must broadcast with the statistics' shape.
void check_fitted_input(const char* op, const Tensor& stat, const Tensor& x) {
  ATHANOR_CHECK(stat.defined(), "{}: not fitted; call {}::fit on the training inputs first", op,
                op);
  ATHANOR_CHECK(x.is_floating_point(),
                "{}: expected a floating-point input, got {} (convert it first, e.g. with "
                "scale_to_unit or .to(kFloat32))",
                op, name(x.dtype()));
  const int k = stat.dim();
  bool ok = x.dim() == k || x.dim() == k + 1;
  for (int d = 0; ok && d < k; ++d) {
    const int64_t want = stat.shape(d);
    ok = want == 1 || x.shape(x.dim() - k + d) == want;
  }
  ATHANOR_CHECK(ok,
                "{}: input shape {} does not match the fitted statistics of shape {}; expected "
                "one example of that shape or a batch [N, ...] of them",
                op, x.shape(), stat.shape());
}

Tensor require_entry(const char* op, const TensorDict& state, const char* name) {
  const Tensor* t = state.find(name);
  ATHANOR_CHECK(t != nullptr,
                "{}: state has no '{}' entry (has {} entries); expected the keys "
                "written by {}::state()",
                op, name, state.size(), op);
  return *t;
}

}  // namespace

// ---- Standardize ----

Standardize Standardize::fit(const Tensor& inputs, const std::vector<int>& dims) {
  NoGradGuard no_grad;
  const std::vector<int> d = fit_dims("Standardize", inputs, dims);
  const Tensor x = inputs.detach().to(kFloat64);
  const Tensor mu = athanor::mean(x, d, /*keepdim=*/true);
  const Tensor centred = x - mu;
  Tensor sigma = sqrt(athanor::mean(centred * centred, d, /*keepdim=*/true));
  // Population std, as scikit-learn; a constant feature keeps its scale (std 1) instead of 0/0.
  sigma = where(eq(sigma, zeros_like(sigma)), 1.0, sigma);
  return Standardize(drop_example_dim(mu), drop_example_dim(sigma));
}

Tensor Standardize::operator()(const Tensor& x) const {
  check_fitted_input("Standardize", mean_, x);
  return (x - mean_.to(x.dtype())) / std_.to(x.dtype());
}

Tensor Standardize::inverse(const Tensor& x) const {
  check_fitted_input("Standardize", mean_, x);
  return x * std_.to(x.dtype()) + mean_.to(x.dtype());
}

Transform Standardize::transform() const {
  return [self = *this](const Tensor& x, Generator&) { return self(x); };
}

TensorDict Standardize::state() const {
  ATHANOR_CHECK(mean_.defined(), "Standardize: not fitted; call Standardize::fit first");
  return TensorDict{{"mean", mean_}, {"std", std_}};
}

Standardize Standardize::from_state(const TensorDict& state) {
  Tensor mu = require_entry("Standardize", state, "mean");
  Tensor sigma = require_entry("Standardize", state, "std");
  ATHANOR_CHECK(mu.shape() == sigma.shape(),
                "Standardize: state entries 'mean' {} and 'std' {} differ in shape", mu.shape(),
                sigma.shape());
  return Standardize(mu.to(kFloat64).contiguous(), sigma.to(kFloat64).contiguous());
}

// ---- MinMax ----

MinMax MinMax::fit(const Tensor& inputs, const std::vector<int>& dims) {
  NoGradGuard no_grad;
  const std::vector<int> d = fit_dims("MinMax", inputs, dims);
  const Tensor x = inputs.detach().to(kFloat64);
  return MinMax(drop_example_dim(amin(x, d, /*keepdim=*/true)),
                drop_example_dim(amax(x, d, /*keepdim=*/true)));
}

namespace {
/// max - min, with 1 where the feature was constant (so it is only shifted, as scikit-learn).
Tensor safe_range(const Tensor& min, const Tensor& max) {
  const Tensor range = max - min;
  return where(eq(range, zeros_like(range)), 1.0, range);
}
}  // namespace

Tensor MinMax::operator()(const Tensor& x) const {
  check_fitted_input("MinMax", min_, x);
  return (x - min_.to(x.dtype())) / safe_range(min_, max_).to(x.dtype());
}

Tensor MinMax::inverse(const Tensor& x) const {
  check_fitted_input("MinMax", min_, x);
  return x * safe_range(min_, max_).to(x.dtype()) + min_.to(x.dtype());
}

Transform MinMax::transform() const {
  return [self = *this](const Tensor& x, Generator&) { return self(x); };
}

TensorDict MinMax::state() const {
  ATHANOR_CHECK(min_.defined(), "MinMax: not fitted; call MinMax::fit first");
  return TensorDict{{"min", min_}, {"max", max_}};
}

MinMax MinMax::from_state(const TensorDict& state) {
  Tensor lo = require_entry("MinMax", state, "min");
  Tensor hi = require_entry("MinMax", state, "max");
  ATHANOR_CHECK(lo.shape() == hi.shape(),
                "MinMax: state entries 'min' {} and 'max' {} differ in shape", lo.shape(),
                hi.shape());
  return MinMax(lo.to(kFloat64).contiguous(), hi.to(kFloat64).contiguous());
}

// ---- Scaling and one-hot ----

Tensor scale_to_unit(const Tensor& x) {
  if (x.is_floating_point()) return x;
  ATHANOR_CHECK(x.dtype() == kUInt8,
                "scale_to_unit: expected uint8 pixels (or a floating tensor), got {}",
                name(x.dtype()));
  return x.to(kFloat32) / 255.0;
}

Tensor one_hot_targets(const Tensor& ids, int64_t num_classes, DType dtype) {
  ATHANOR_CHECK(num_classes >= 1, "one_hot_targets: num_classes must be >= 1, got {}", num_classes);
  ATHANOR_CHECK(!ids.is_floating_point() && ids.dtype() != kBool,
                "one_hot_targets: expected integer class ids, got {}", name(ids.dtype()));
  const std::vector<int64_t> v = ids.to_vector<int64_t>();
  for (size_t k = 0; k < v.size(); ++k) {
    ATHANOR_CHECK(v[k] >= 0 && v[k] < num_classes,
                  "one_hot_targets: class id {} (element {}) is out of range for {} classes; "
                  "expected 0 <= id < {}",
                  v[k], k, num_classes, num_classes);
  }
  return one_hot(ids.to(kInt64), num_classes).to(dtype);
}

// ---- Augmentation ----

namespace {

struct ImageLayout {
  int64_t n, c, h, w;
};

ImageLayout check_image(const char* op, const Tensor& x) {
  ATHANOR_CHECK(x.defined() && (x.dim() == 3 || x.dim() == 4),
                "{}: expected an image [C, H, W] or a batch [N, C, H, W], got shape {}", op,
                x.defined() ? to_string(x.shape()) : "undefined");
  ATHANOR_CHECK(x.dtype() == kFloat32 || x.dtype() == kFloat64,
                "{}: expected a float32 or float64 image, got {}", op, name(x.dtype()));
  const int o = x.dim() - 3;
  return {o ? x.shape(0) : 1, x.shape(o), x.shape(o + 1), x.shape(o + 2)};
}

int64_t draw_int(Generator& gen, int64_t low, int64_t high) {
  int64_t v = 0;
  fill_randint(gen, &v, 1, low, high);
  return v;
}

double draw_uniform(Generator& gen) {
  double u = 0;
  fill_uniform(gen, &u, 1, 0.0, 1.0);
  return u;
}

/// Calls edit(image pointer, image index) on each image of a contiguous copy of x.
template <typename Edit>
Tensor per_image(const Tensor& x, const ImageLayout& l, Edit edit) {
  Tensor out = x.detach().contiguous().clone();
  const int64_t plane = l.c * l.h * l.w;
  if (out.dtype() == kFloat32) {
    float* p = out.data_ptr<float>();
    for (int64_t i = 0; i < l.n; ++i) edit(p + i * plane, i);
  } else {
    double* p = out.data_ptr<double>();
    for (int64_t i = 0; i < l.n; ++i) edit(p + i * plane, i);
  }
  return out;
}

/// out[c][i][j] = img[c][i - dy][j - dx], 0 where that falls outside: content moves down by dy
/// and right by dx.
template <typename T>
void shift_image(T* img, const ImageLayout& l, int64_t dy, int64_t dx) {
  std::vector<T> src(img, img + l.c * l.h * l.w);
  for (int64_t c = 0; c < l.c; ++c) {
    for (int64_t i = 0; i < l.h; ++i) {
      for (int64_t j = 0; j < l.w; ++j) {
        const int64_t si = i - dy;
        const int64_t sj = j - dx;
        const bool inside = si >= 0 && si < l.h && sj >= 0 && sj < l.w;
        img[(c * l.h + i) * l.w + j] =
            inside ? src[static_cast<size_t>((c * l.h + si) * l.w + sj)] : T(0);
      }
    }
  }
}

}  // namespace

Tensor random_crop(const Tensor& x, int64_t padding, Generator& gen) {
  const ImageLayout l = check_image("random_crop", x);
  ATHANOR_CHECK(padding >= 0, "random_crop: padding must be >= 0, got {}", padding);
  return per_image(x, l, [&](auto* img, int64_t) {
    // Crop offset (oy, ox) in [0, 2 padding] of the padded image: a shift by (padding - o).
    const int64_t oy = draw_int(gen, 0, 2 * padding + 1);
    const int64_t ox = draw_int(gen, 0, 2 * padding + 1);
    shift_image(img, l, padding - oy, padding - ox);
  });
}

Tensor random_horizontal_flip(const Tensor& x, Generator& gen, double p) {
  const ImageLayout l = check_image("random_horizontal_flip", x);
  ATHANOR_CHECK(p >= 0 && p <= 1, "random_horizontal_flip: p must be in [0, 1], got {}", p);
  return per_image(x, l, [&](auto* img, int64_t) {
    if (draw_uniform(gen) >= p) return;
    for (int64_t row = 0; row < l.c * l.h; ++row)
      std::reverse(img + row * l.w, img + (row + 1) * l.w);
  });
}

Tensor random_translate(const Tensor& x, double max_fraction, Generator& gen) {
  const ImageLayout l = check_image("random_translate", x);
  ATHANOR_CHECK(max_fraction >= 0 && max_fraction <= 1,
                "random_translate: max_fraction must be in [0, 1], got {}", max_fraction);
  const auto max_dy = static_cast<int64_t>(std::lround(max_fraction * static_cast<double>(l.h)));
  const auto max_dx = static_cast<int64_t>(std::lround(max_fraction * static_cast<double>(l.w)));
  return per_image(x, l, [&](auto* img, int64_t) {
    const int64_t dy = draw_int(gen, -max_dy, max_dy + 1);
    const int64_t dx = draw_int(gen, -max_dx, max_dx + 1);
    shift_image(img, l, dy, dx);
  });
}

Tensor gaussian_noise(const Tensor& x, double stddev, Generator& gen) {
  ATHANOR_CHECK(x.defined() && x.is_floating_point(),
                "gaussian_noise: expected a floating-point tensor, got {}",
                x.defined() ? name(x.dtype()) : "undefined");
  ATHANOR_CHECK(stddev >= 0, "gaussian_noise: stddev must be >= 0, got {}", stddev);
  return x.detach() + normal(x.shape(), 0.0, stddev, x.dtype(), &gen);
}

Tensor cutout(const Tensor& x, int64_t size, Generator& gen) {
  const ImageLayout l = check_image("cutout", x);
  ATHANOR_CHECK(size >= 0, "cutout: size must be >= 0, got {}", size);
  return per_image(x, l, [&](auto* img, int64_t) {
    const int64_t cy = draw_int(gen, 0, l.h);
    const int64_t cx = draw_int(gen, 0, l.w);
    const int64_t y0 = std::max<int64_t>(0, cy - size / 2);
    const int64_t y1 = std::min(l.h, cy - size / 2 + size);
    const int64_t x0 = std::max<int64_t>(0, cx - size / 2);
    const int64_t x1 = std::min(l.w, cx - size / 2 + size);
    for (int64_t c = 0; c < l.c; ++c) {
      for (int64_t i = y0; i < y1; ++i) {
        for (int64_t j = x0; j < x1; ++j) img[(c * l.h + i) * l.w + j] = 0;
      }
    }
  });
}

Transform compose(std::vector<Transform> transforms) {
  return [transforms = std::move(transforms)](const Tensor& x, Generator& gen) {
    Tensor y = x;
    for (const auto& t : transforms) y = t(y, gen);
    return y;
  };
}

}  // namespace athanor::data
