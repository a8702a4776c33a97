// include/athanor/nn/dropout.h: Dropout, inverted dropout active only in training mode.
#pragma once

#include <cstdint>
#include <optional>

#include <athanor/core/random.h>
#include <athanor/nn/module.h>

namespace athanor::nn {

/// Training: zeros each element with probability p and scales the others by 1 / (1 - p), so the
/// expected value is unchanged (Srivastava et al., 2014, in its inverted form). Eval: identity.
/// Masks come from the default generator (manual_seed), or from the layer's own generator when
/// a seed is given.
class Dropout : public Module {
 public:
  explicit Dropout(double p = 0.5, std::optional<uint64_t> seed = {});
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Dropout"; }
  std::string extra_repr() const override;

  double p() const { return p_; }
  Generator* own_generator() override { return generator_ ? &*generator_ : nullptr; }

 private:
  double p_;
  std::optional<Generator> generator_;
};

}  // namespace athanor::nn
