// src/io/safetensors_python_test.cpp: safetensors interop with Python: athanor's files read by a
// json + numpy reader (and loaded into a torch MLP when torch is installed), and numpy-written
// files read by athanor. Runs tests/python/read_safetensors.py with /usr/bin/python3.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include <athanor/io/file.h>
#include <athanor/io/safetensors.h>
#include <athanor/ops/activation.h>
#include <athanor/ops/binary.h>
#include <athanor/ops/linalg.h>

#include "io/io_test_util.h"
#include "testing/matchers.h"

namespace athanor::io {
namespace {

using json = nlohmann::ordered_json;  // keeps keys in the order written
using testing::TempDir;
namespace fs = std::filesystem;

constexpr const char* kPython = "/usr/bin/python3";

fs::path script_path() {
  // src/io/<this file> -> <repository>/tests/python/read_safetensors.py
  return fs::path(__FILE__).parent_path().parent_path().parent_path() / "tests" / "python" /
         "read_safetensors.py";
}

struct RunResult {
  int exit_code;
  std::string output;
};

// Runs `/usr/bin/python3 args...` with stdout and stderr captured into a file.
RunResult run_python(const TempDir& dir, const std::string& args) {
  const fs::path log = dir.path("python.log");
  const std::string command = fmt::format("'{}' {} > '{}' 2>&1", kPython, args, log.string());
  const int status = std::system(command.c_str());
  const int code = status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::string output = fs::exists(log) ? read_file(log) : "";
  return {code, output};
}

// Fails (does not skip) when the interpreter or numpy is missing: install-deps.sh provides both.
::testing::AssertionResult python_with_numpy(const TempDir& dir) {
  if (::access(kPython, X_OK) != 0) {
    return ::testing::AssertionFailure()
           << kPython << " is missing; install python3 and python3-sklearn "
           << "(scripts/install-deps.sh), which bring numpy";
  }
  const RunResult r = run_python(dir, "-c 'import numpy'");
  if (r.exit_code != 0) {
    return ::testing::AssertionFailure()
           << "numpy cannot be imported by " << kPython << " (install python3-sklearn, as "
           << "scripts/install-deps.sh does): " << r.output;
  }
  if (!fs::exists(script_path())) {
    return ::testing::AssertionFailure() << "missing script " << script_path();
  }
  return ::testing::AssertionSuccess();
}

// The output of Sequential(Linear(3,4), ReLU(), Linear(4,2)) with PyTorch's parameter names.
Tensor mlp(const TensorDict& p, const Tensor& x) {
  const Tensor h = relu(matmul(x, p.at("0.weight").t()) + p.at("0.bias"));
  return matmul(h, p.at("2.weight").t()) + p.at("2.bias");
}

std::string tag_of(DType t) {
  switch (t) {
    case kFloat32:
      return "F32";
    case kFloat64:
      return "F64";
    case kInt64:
      return "I64";
    case kUInt8:
      return "U8";
    case kBool:
      return "BOOL";
  }
  return "?";
}

json flat_values(const Tensor& t) {
  if (t.is_floating_point()) return t.to_vector<double>();
  return t.to_vector<int64_t>();
}

json nested(const Tensor& t) {  // a 2-D float tensor as a list of rows
  json rows = json::array();
  for (int64_t i = 0; i < t.shape(0); ++i) rows.push_back(t.select(0, i).to_vector<double>());
  return rows;
}

TEST(SafetensorsPython, PythonReadsWhatAthanorWrites) {
  TempDir dir;
  ASSERT_TRUE(python_with_numpy(dir));
  TensorDict tensors;
  tensors.insert("0.weight", Tensor::from({{0.5f, -0.25f, 0.125f},
                                           {-1.0f, 0.75f, 0.3f},
                                           {0.2f, 0.4f, -0.6f},
                                           {1.5f, -0.5f, 0.25f}}));
  tensors.insert("0.bias", Tensor::from({0.1f, -0.2f, 0.3f, 0.05f}));
  // Written from a transposed (non-contiguous) view: the file must hold the row-major values.
  tensors.insert("2.weight",
                 Tensor::from({{0.3f, -0.7f}, {0.9f, 0.1f}, {-0.4f, 0.6f}, {0.2f, -0.8f}}).t());
  tensors.insert("2.bias", Tensor::from({-0.1f, 0.2f}));
  tensors.insert("f64", Tensor::from({{0.1, -2.5, 1e300}, {3.0, -0.0, 7.25}}));
  tensors.insert("i64", Tensor::from({int64_t{-3}, int64_t{1} << 40, int64_t{9}}));
  tensors.insert("u8", Tensor::from({uint8_t{0}, uint8_t{255}, uint8_t{17}}));
  tensors.insert("mask", Tensor::from({true, false, true}));
  tensors.insert("scalar", scalar_tensor(2.5, kFloat32));
  tensors.insert("empty", empty({0, 3}, kFloat32));
  const Metadata metadata{{"format", "pt"}, {"writer", "athanor"}};

  json expect = {{"metadata", metadata}, {"tensors", json::object()}};
  for (const auto& [name, t] : tensors) {
    expect["tensors"][name] = {
        {"dtype", tag_of(t.dtype())}, {"shape", t.shape().to_vector()}, {"values", flat_values(t)}};
  }
  const Tensor x = Tensor::from({{1.0f, -2.0f, 0.5f}, {0.25f, 0.75f, -1.5f}});
  expect["mlp"] = {{"input", nested(x)}, {"output", nested(mlp(tensors, x))}};
  save_safetensors(dir.path("model.safetensors"), tensors, metadata);
  std::ofstream(dir.path("expect.json")) << expect.dump();

  const RunResult r = run_python(
      dir, fmt::format("'{}' check '{}' '{}'", script_path().string(),
                       dir.path("model.safetensors").string(), dir.path("expect.json").string()));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, ::testing::HasSubstr("numpy: 10 tensors match"));
  EXPECT_THAT(r.output, ::testing::AnyOf(::testing::HasSubstr("load_state_dict(strict=True)"),
                                         ::testing::HasSubstr("torch not installed")));
  std::cout << r.output;
}

TEST(SafetensorsPython, AthanorReadsWhatNumpyWrites) {
  TempDir dir;
  ASSERT_TRUE(python_with_numpy(dir));
  const RunResult r = run_python(
      dir, fmt::format("'{}' write '{}' '{}'", script_path().string(),
                       dir.path("numpy.safetensors").string(), dir.path("expect.json").string()));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const json expect = json::parse(read_file(dir.path("expect.json")));
  const SafetensorsFile file = load_safetensors(dir.path("numpy.safetensors"));

  EXPECT_EQ(file.metadata, (Metadata{{"format", "pt"}, {"writer", "numpy"}}));
  std::vector<std::string> names;
  for (const auto& [name, unused] : expect["tensors"].items()) names.push_back(name);
  EXPECT_EQ(file.tensors.keys(), names);  // the data order, not the header's key order
  for (const auto& [name, want] : expect["tensors"].items()) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(file.tensors.contains(name));
    const Tensor& got = file.tensors.at(name);
    EXPECT_EQ(tag_of(got.dtype()), want["dtype"].get<std::string>());
    const Shape shape(want["shape"].get<std::vector<int64_t>>());
    if (got.is_floating_point()) {
      EXPECT_TENSOR_EQ(got,
                       Tensor::from(want["values"].get<std::vector<double>>(), shape, got.dtype()));
    } else {
      std::vector<int64_t> values;
      for (const json& v : want["values"])
        values.push_back(v.is_boolean() ? v.get<bool>() : v.get<int64_t>());
      EXPECT_TENSOR_EQ(got, Tensor::from(values, shape, got.dtype()));
    }
  }
  const json& mlp_case = expect["mlp"];
  std::vector<double> input;
  for (const json& row : mlp_case["input"]) {
    for (double v : row.get<std::vector<double>>()) input.push_back(v);
  }
  std::vector<double> output;
  for (const json& row : mlp_case["output"]) {
    for (double v : row.get<std::vector<double>>()) output.push_back(v);
  }
  const Tensor x = Tensor::from(input, {static_cast<int64_t>(input.size() / 3), 3}, kFloat32);
  const Tensor want = Tensor::from(output, {static_cast<int64_t>(output.size() / 2), 2}, kFloat64);
  EXPECT_TENSOR_NEAR(mlp(file.tensors, x).to(kFloat64), want, 1e-5);
}

}  // namespace
}  // namespace athanor::io
