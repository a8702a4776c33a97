// src/optim/clip.cpp: gradient clipping by global norm and by value.
#include <algorithm>
#include <cmath>

#include <athanor/autograd/grad_mode.h>
#include <athanor/optim/clip.h>

#include "optim/update_loop.h"

namespace athanor::optim {
namespace {

// Calls fn(grad) for every defined gradient, contiguous (a non-contiguous one is handed over as
// a contiguous copy and written back afterwards, when `writes`).
template <typename Fn>
void for_each_grad(const std::vector<Tensor>& params, bool writes, Fn&& fn) {
  for (const Tensor& p : params) {
    ATHANOR_CHECK(p.defined(), "clip_grad: a parameter is an undefined tensor");
    const Tensor grad = p.grad();
    if (!grad.defined()) continue;
    Tensor g = grad.is_contiguous() ? grad : grad.contiguous();
    fn(g);
    if (writes && !g.is_same(grad)) Tensor(grad).copy_(g);
  }
}

}  // namespace

double clip_grad_norm_(const std::vector<Tensor>& params, double max_norm, double norm_type,
                       bool error_if_nonfinite) {
  ATHANOR_CHECK(norm_type > 0,
                "clip_grad_norm_: norm_type {} is not supported; expected a positive order or "
                "infinity",
                norm_type);
  NoGradGuard no_grad;
  const bool inf_norm = std::isinf(norm_type);
  // Accumulated in double, element by element in order: the same result whatever the thread
  // count. NaN propagates through both the sum and the maximum.
  double acc = 0;
  for_each_grad(params, false, [&](const Tensor& g) {
    detail::dispatch_floating(g.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const T* data = g.data_ptr<T>();
      for (int64_t i = 0, n = g.numel(); i < n; ++i) {
        const double a = std::abs(static_cast<double>(data[i]));
        if (inf_norm) {
          acc = detail::nan_max(a, acc);
        } else if (norm_type == 2) {
          acc += a * a;
        } else if (norm_type == 1) {
          acc += a;
        } else {
          acc += std::pow(a, norm_type);
        }
      }
    });
  });
  const double total_norm = inf_norm         ? acc
                            : norm_type == 2 ? std::sqrt(acc)
                            : norm_type == 1 ? acc
                                             : std::pow(acc, 1.0 / norm_type);
  ATHANOR_CHECK(!error_if_nonfinite || std::isfinite(total_norm),
                "clip_grad_norm_: the total norm of order {} of the gradients is {}, so they "
                "cannot be clipped; expected a finite norm (pass error_if_nonfinite = false to "
                "scale them anyway)",
                norm_type, total_norm);
  const double clip_coef = max_norm / (total_norm + 1e-6);
  // Scaling by exactly 1 changes nothing, so gradients within the bound are left untouched.
  if (!(clip_coef < 1.0) && !std::isnan(clip_coef)) return total_norm;
  for_each_grad(params, true, [&](Tensor& g) {
    detail::dispatch_floating(g.dtype(), [&](auto zero) {
      using T = decltype(zero);
      T* data = g.data_ptr<T>();
      const T coef = static_cast<T>(clip_coef);
      detail::for_each_index(g.numel(), [&](int64_t i) { data[i] = data[i] * coef; });
    });
  });
  return total_norm;
}

void clip_grad_value_(const std::vector<Tensor>& params, double clip_value) {
  ATHANOR_CHECK(clip_value >= 0,
                "clip_grad_value_: clip_value is {}; expected a non-negative bound", clip_value);
  NoGradGuard no_grad;
  for_each_grad(params, true, [&](Tensor& g) {
    detail::dispatch_floating(g.dtype(), [&](auto zero) {
      using T = decltype(zero);
      T* data = g.data_ptr<T>();
      const T hi = static_cast<T>(clip_value), lo = -hi;
      detail::for_each_index(g.numel(), [&](int64_t i) {
        const T x = data[i];
        data[i] = x < lo ? lo : (x > hi ? hi : x);  // NaN fails both tests and stays
      });
    });
  });
}

}  // namespace athanor::optim
