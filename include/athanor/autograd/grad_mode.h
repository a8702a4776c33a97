// include/athanor/autograd/grad_mode.h: turning gradient recording off and on.
#pragma once

namespace athanor {

/// Whether operations on this thread record nodes for backward (true by default).
bool is_grad_enabled();
void set_grad_enabled(bool enabled);

/// Turns recording off for its lifetime (evaluation, optimizer steps), restoring the previous
/// setting on exit.
class NoGradGuard {
 public:
  NoGradGuard() : previous_(is_grad_enabled()) { set_grad_enabled(false); }
  ~NoGradGuard() { set_grad_enabled(previous_); }
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

}  // namespace athanor
