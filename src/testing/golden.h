// src/testing/golden.h: reading the PyTorch reference fixtures in tests/golden (written by
// tests/golden/make_*.py; format in tests/golden/README.md), and relative tensor comparisons.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include <athanor/tensor/tensor.h>

namespace athanor::testing {

/// One fixture: a module or loss run forward and backward by PyTorch. Every tensor is parsed and
/// validated when the file is loaded, so a malformed fixture fails at load() with the file and key.
class Golden {
 public:
  /// Loads `relative_path` under tests/golden, e.g. "nn/conv2d_stride2_pad1_float32.json".
  static Golden load(std::string_view relative_path);
  /// Loads a fixture from any path (tests of the loader itself).
  static Golden load_file(const std::filesystem::path& path);

  /// The path it was loaded from, as given (used in every error message).
  const std::string& path() const;
  /// "case": the case name without dtype, e.g. "conv2d_stride2_pad1".
  const std::string& case_name() const;
  /// "module": PyTorch's class name, e.g. "Conv2d", "CrossEntropyLoss", "HingeLoss".
  const std::string& module() const;
  /// "dtype": the floating type the case ran in (float32 or float64).
  DType dtype() const;
  /// "mode": "train" or "eval".
  const std::string& mode() const;
  bool training() const { return mode() == "train"; }

  bool has(std::string_view tensor_name) const;
  /// A fresh copy of the named tensor (float32, float64 or int64, as stored; shape [] for a
  /// scalar), so callers may set requires_grad or modify it. Throws naming file and key if absent.
  Tensor tensor(std::string_view tensor_name) const;
  /// Sorted names of the tensors starting with `prefix` ("" for all), e.g. "state." gives
  /// {"state.bias", "state.weight"}.
  std::vector<std::string> tensor_names(std::string_view prefix = "") const;

  // Typed accessors over "kwargs" (the module's constructor arguments; tensor-valued ones such as
  // a loss weight are stored as tensors "state.<name>" instead). Each throws naming file and key
  // when the key is absent or holds another type.
  bool has_kwarg(std::string_view key) const;
  /// True when the kwarg is present and null (Python's None, e.g. BatchNorm's momentum).
  bool is_null(std::string_view key) const;
  /// Any JSON number.
  double number(std::string_view key) const;
  int64_t integer(std::string_view key) const;
  bool flag(std::string_view key) const;
  std::string text(std::string_view key) const;
  /// A list of integers; with n > 0, a single integer k means {k, ..., k} (n copies), as PyTorch
  /// reads kernel_size=3 for a 2-D convolution, and a list must have n entries.
  std::vector<int64_t> integers(std::string_view key, size_t n = 0) const;

 private:
  struct Data;
  explicit Golden(std::shared_ptr<const Data> data) : data_(std::move(data)) {}
  std::shared_ptr<const Data> data_;
};

/// The directory holding the fixtures (tests/golden in the source tree).
std::filesystem::path golden_dir();

/// The *.json files under golden_dir()/subdir, as sorted paths relative to golden_dir() (e.g.
/// "nn/conv1d_float32.json"), ready for Golden::load. Throws if the directory does not exist.
std::vector<std::string> golden_files(std::string_view subdir);

/// Where two tensors differ most: largest |actual - expected|, largest |actual - expected| /
/// |expected| over elements with expected != 0, and the largest share of the tolerance used,
/// |actual - expected| / (atol + rtol |expected|) (above 1 fails).
struct Deviation {
  double abs = 0;
  double rel = 0;
  double tolerance_used = 0;
};

/// Same shape and dtype, and every element within |actual - expected| <= atol + rtol * |expected|
/// (NaNs must match NaNs); reports the worst element. When `deviation` is given, it is raised to
/// the deviations seen here (so one Deviation can collect the worst over many comparisons).
::testing::AssertionResult tensors_close_rel(const Tensor& actual, const Tensor& expected,
                                             double rtol, double atol,
                                             Deviation* deviation = nullptr);

}  // namespace athanor::testing

#define EXPECT_TENSOR_CLOSE_REL(actual, expected, rtol, atol) \
  EXPECT_TRUE(::athanor::testing::tensors_close_rel((actual), (expected), (rtol), (atol)))
