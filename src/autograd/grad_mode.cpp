// src/autograd/grad_mode.cpp: the per-thread gradient recording switch.
#include <athanor/autograd/grad_mode.h>

namespace athanor {
namespace {
thread_local bool grad_enabled = true;
}

bool is_grad_enabled() { return grad_enabled; }
void set_grad_enabled(bool enabled) { grad_enabled = enabled; }

}  // namespace athanor
