// src/optim/option_checks.h: range checks of optimizer options, with messages naming the
// optimizer, the option, its value and the valid range.
#pragma once

#include <string>
#include <utility>

#include <athanor/core/error.h>

namespace athanor::optim::detail {

/// "Adam: invalid lr -0.1; expected lr >= 0".
inline void check_option(bool ok, const std::string& optimizer, const char* option, double value,
                         const char* expected) {
  ATHANOR_CHECK(ok, "{}: invalid {} {}; expected {}", optimizer, option, value, expected);
}

inline void check_non_negative(const std::string& optimizer, const char* option, double value) {
  check_option(value >= 0, optimizer, option, value, fmt::format("{} >= 0", option).c_str());
}

/// Both betas in [0, 1).
inline void check_betas(const std::string& optimizer, const std::pair<double, double>& betas) {
  check_option(betas.first >= 0 && betas.first < 1, optimizer, "betas.0", betas.first,
               "0 <= betas.0 < 1");
  check_option(betas.second >= 0 && betas.second < 1, optimizer, "betas.1", betas.second,
               "0 <= betas.1 < 1");
}

}  // namespace athanor::optim::detail
