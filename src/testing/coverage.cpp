// src/testing/coverage.cpp: gradient-check coverage of recorded ops.
#include "testing/coverage.h"

#include <cstdlib>
#include <mutex>
#include <set>
#include <string>

#include <athanor/autograd/node.h>

namespace athanor::testing {
namespace {

std::mutex mutex;
std::set<std::string>& recorded() {
  static std::set<std::string> names;
  return names;
}
std::set<std::string>& checked() {
  static std::set<std::string> names;
  return names;
}

void record(const char* name) {
  std::lock_guard lock(mutex);
  recorded().insert(name);
}

}  // namespace

void note_gradchecked(const Tensor& y) {
  std::vector<std::shared_ptr<Node>> stack{y.grad_fn()};
  std::set<Node*> seen;
  std::lock_guard lock(mutex);
  while (!stack.empty()) {
    auto node = stack.back();
    stack.pop_back();
    if (!node || !seen.insert(node.get()).second) continue;
    checked().insert(node->name());
    for (const auto& next : node->next()) stack.push_back(next);
  }
}

void GradcheckCoverage::SetUp() { detail::set_node_recorder(record); }

void GradcheckCoverage::TearDown() {
  detail::set_node_recorder(nullptr);
  if (std::getenv("ATHANOR_GRADCHECK_COVERAGE") == nullptr) return;
  std::vector<std::string> missing;
  for (const auto& name : recorded()) {
    if (!checked().contains(name)) missing.push_back(name);
  }
  EXPECT_TRUE(missing.empty()) << "ops recorded in tests but never gradient-checked: "
                               << fmt::format("{}", fmt::join(missing, ", "));
  EXPECT_FALSE(checked().empty()) << "no gradient check ran";
}

}  // namespace athanor::testing
