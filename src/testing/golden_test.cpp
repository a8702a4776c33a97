// src/testing/golden_test.cpp: the golden-fixture loader (round trip, every malformed-file error),
// the committed fixtures' own consistency, and tensors_close_rel.
#include "testing/golden.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <unistd.h>

#include "testing/matchers.h"

namespace athanor::testing {
namespace {

// A directory of this process's own under gtest's temporary directory, removed at exit.
struct ScratchDir {
  std::filesystem::path path = std::filesystem::path(::testing::TempDir()) /
                               fmt::format("athanor_golden_test_{}", ::getpid());
  ScratchDir() { std::filesystem::create_directories(path); }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};
const std::filesystem::path& scratch_dir() {
  static const ScratchDir dir;
  return dir.path;
}

// Writes `text` to a file in scratch_dir() and returns its path.
std::filesystem::path write_fixture(const std::string& file_name, const std::string& text) {
  const std::filesystem::path path = scratch_dir() / file_name;
  std::ofstream(path) << text;
  return path;
}

// A small valid fixture; `tensors` and `kwargs` replace the defaults when given.
std::string fixture(const std::string& tensors =
                        R"("input": {"dtype": "float32", "shape": [2], "data": [0.5, -1.25]})",
                    const std::string& kwargs = R"("p": 0.5)", const std::string& mode = "train") {
  return fmt::format(R"({{"case": "demo", "module": "Demo", "dtype": "float32", "mode": "{}",
                         "kwargs": {{{}}}, "tensors": {{{}}}}})",
                     mode, kwargs, tensors);
}

TEST(Golden, RoundTripsTensorsAndAttributes) {
  // 0.1f is 0.100000001490116119384765625: the script writes it exactly, the loader keeps it.
  const auto path = write_fixture(
      "round_trip.json",
      fixture(
          R"("input": {"dtype": "float32", "shape": [2, 2], "data": [0.10000000149011612, 2, -3.5, 4e-3]},
                 "grad_output": {"dtype": "float64", "shape": [], "data": [0.1]},
                 "state.num_batches_tracked": {"dtype": "int64", "shape": [], "data": [3]},
                 "state.weight": {"dtype": "float64", "shape": [3], "data": [1, 2, 3]},
                 "target": {"dtype": "int64", "shape": [3], "data": [2, -100, 9007199254740993]},
                 "empty": {"dtype": "float64", "shape": [0, 2], "data": []})",
          R"("in_channels": 4, "momentum": null, "eps": 1e-05, "bias": false,
                 "approximate": "tanh", "kernel_size": 3, "stride": [2, 1])",
          "eval"));
  const Golden g = Golden::load_file(path);
  EXPECT_EQ(g.path(), path.string());
  EXPECT_EQ(g.case_name(), "demo");
  EXPECT_EQ(g.module(), "Demo");
  EXPECT_EQ(g.dtype(), kFloat32);
  EXPECT_EQ(g.mode(), "eval");
  EXPECT_FALSE(g.training());

  EXPECT_TENSOR_EQ(g.tensor("input"), Tensor::from({{0.1f, 2.0f}, {-3.5f, 0.004f}}));
  EXPECT_EQ(g.tensor("grad_output").shape(), Shape{});
  EXPECT_EQ(g.tensor("grad_output").item<double>(), 0.1);
  EXPECT_TENSOR_EQ(g.tensor("state.num_batches_tracked"), scalar_tensor(3, kInt64));
  // int64 beyond 2^53 survives (it never passes through a double).
  EXPECT_EQ(g.tensor("target").to_vector<int64_t>(),
            (std::vector<int64_t>{2, -100, 9007199254740993}));
  EXPECT_EQ(g.tensor("empty").shape(), (Shape{0, 2}));

  EXPECT_TRUE(g.has("state.weight"));
  EXPECT_FALSE(g.has("state.bias"));
  EXPECT_EQ(g.tensor_names("state."),
            (std::vector<std::string>{"state.num_batches_tracked", "state.weight"}));
  EXPECT_EQ(g.tensor_names().size(), 6U);

  EXPECT_TRUE(g.has_kwarg("momentum"));
  EXPECT_TRUE(g.is_null("momentum"));
  EXPECT_FALSE(g.is_null("eps"));
  EXPECT_FALSE(g.is_null("absent"));
  EXPECT_EQ(g.integer("in_channels"), 4);
  EXPECT_EQ(g.number("in_channels"), 4.0);
  EXPECT_EQ(g.number("eps"), 1e-5);
  EXPECT_FALSE(g.flag("bias"));
  EXPECT_EQ(g.text("approximate"), "tanh");
  EXPECT_EQ(g.integers("kernel_size", 2), (std::vector<int64_t>{3, 3}));
  EXPECT_EQ(g.integers("kernel_size"), (std::vector<int64_t>{3}));
  EXPECT_EQ(g.integers("stride", 2), (std::vector<int64_t>{2, 1}));
  EXPECT_EQ(g.integers("stride"), (std::vector<int64_t>{2, 1}));
}

TEST(Golden, TensorReturnsAFreshCopy) {
  const Golden g = Golden::load_file(write_fixture("copy.json", fixture()));
  Tensor t = g.tensor("input");
  t.fill_(7.0);
  EXPECT_TENSOR_EQ(g.tensor("input"), Tensor::from({0.5f, -1.25f}));
}

TEST(Golden, MissingFileNamesItAndTheScript) {
  EXPECT_THROW_WITH_MESSAGE(Golden::load("nn/no_such_case_float32.json"),
                            "nn/no_such_case_float32.json'; the fixtures are written by "
                            "/usr/bin/python3 tests/golden/make_*.py");
}

TEST(Golden, MalformedFilesNameTheFileAndTheKey) {
  const auto load = [](const std::string& text) {
    Golden::load_file(write_fixture("bad.json", text));
  };
  const std::string file = (scratch_dir() / "bad.json").string();
  EXPECT_THROW_WITH_MESSAGE(load("{\"case\": "), "golden: " + file + ": invalid JSON: ");
  EXPECT_THROW_WITH_MESSAGE(load("[1, 2]"), ": the top level is array [1,2]; expected an object");
  EXPECT_THROW_WITH_MESSAGE(
      load(
          R"({"case": "demo", "module": "Demo", "dtype": "float32", "kwargs": {}, "tensors": {}})"),
      "golden: " + file + ": missing key 'mode'");
  EXPECT_THROW_WITH_MESSAGE(load(R"({"case": 3})"), "key 'case' is number 3; expected a string");
  EXPECT_THROW_WITH_MESSAGE(load(fixture("", "", "test")),
                            "key 'mode' is 'test'; expected train or eval");
  EXPECT_THROW_WITH_MESSAGE(
      load(R"({"case": "demo", "module": "Demo", "dtype": "int64", "mode": "eval",
               "kwargs": {}, "tensors": {}})"),
      "key 'dtype' is unknown dtype 'int64'; expected float32 or float64");
  EXPECT_THROW_WITH_MESSAGE(
      load(R"({"case": "demo", "module": "Demo", "dtype": "float32", "mode": "eval",
               "kwargs": [], "tensors": {}})"),
      "key 'kwargs' is array []; expected an object");

  EXPECT_THROW_WITH_MESSAGE(load(fixture(R"("output": {"dtype": "float32", "data": [1]})")),
                            "golden: " + file + ": missing key 'tensors.output.shape'");
  EXPECT_THROW_WITH_MESSAGE(
      load(fixture(R"("output": {"dtype": "float16", "shape": [1], "data": [1]})")),
      "key 'tensors.output.dtype' is unknown dtype 'float16'; expected float32, float64 or int64");
  EXPECT_THROW_WITH_MESSAGE(
      load(fixture(R"("output": {"dtype": "float32", "shape": [2, 3], "data": [1, 2, 3, 4, 5]})")),
      "golden: " + file + ": key 'tensors.output.data' has 5 values, but shape [2, 3] holds 6");
  EXPECT_THROW_WITH_MESSAGE(
      load(fixture(R"("target": {"dtype": "int64", "shape": [2], "data": [1, 1.5]})")),
      "key 'tensors.target.data' has number 1.5 at index 1; expected an integer for int64");
  EXPECT_THROW_WITH_MESSAGE(
      load(fixture(R"("output": {"dtype": "float64", "shape": [2], "data": [1, "x"]})")),
      "key 'tensors.output.data' has string \"x\" at index 1; expected a number for float64");
  EXPECT_THROW_WITH_MESSAGE(
      load(fixture(R"("output": {"dtype": "float64", "shape": [-1], "data": []})")),
      "key 'tensors.output.shape' is array [-1]; expected non-negative integer sizes");
}

TEST(Golden, AbsentTensorsAndKwargsNameTheFileAndWhatThereIs) {
  const auto path = write_fixture("lookup.json", fixture());
  const Golden g = Golden::load_file(path);
  EXPECT_THROW_WITH_MESSAGE(g.tensor("grad.weight"), "golden: " + path.string() +
                                                         ": no tensor 'grad.weight' (tensors: "
                                                         "input)");
  EXPECT_THROW_WITH_MESSAGE(g.number("momentum"), ": no kwarg 'momentum' (kwargs: p)");
  EXPECT_THROW_WITH_MESSAGE(g.integer("p"), "kwarg 'p' is number 0.5; expected an integer");
  EXPECT_THROW_WITH_MESSAGE(g.flag("p"), "kwarg 'p' is number 0.5; expected true or false");
  EXPECT_THROW_WITH_MESSAGE(g.text("p"), "kwarg 'p' is number 0.5; expected a string");
  EXPECT_THROW_WITH_MESSAGE(g.integers("p"),
                            "kwarg 'p' is number 0.5; expected an integer or a list of any "
                            "number of integers");
  const Golden h =
      Golden::load_file(write_fixture("lookup_list.json", fixture("", R"("stride": [2, 1])")));
  EXPECT_THROW_WITH_MESSAGE(h.integers("stride", 3),
                            "kwarg 'stride' is array [2,1]; expected an integer or a list of 3 "
                            "integers");
}

// The committed fixtures: all load, and follow the conventions the layer tests rely on.
TEST(GoldenFixtures, AllLoadAndAreConsistent) {
  const std::vector<std::string> files = golden_files("nn");
  ASSERT_GE(files.size(), 100U) << "run /usr/bin/python3 tests/golden/make_nn.py";
  EXPECT_TRUE(std::is_sorted(files.begin(), files.end()));
  std::set<std::string> modules;
  for (const std::string& file : files) {
    SCOPED_TRACE(file);
    const Golden g = Golden::load(file);
    modules.insert(g.module());
    EXPECT_EQ(file, fmt::format("nn/{}_{}.json", g.case_name(), g.dtype()));
    for (const std::string& t : g.tensor_names()) {
      const Tensor value = g.tensor(t);
      if (value.is_floating_point()) {
        EXPECT_EQ(value.dtype(), g.dtype()) << t;
      }
    }
    if (g.module() == "Dropout" && g.training()) {
      EXPECT_EQ(
          g.tensor("expected_nonzero").item<double>(),
          static_cast<double>(g.dtype() == kFloat32 ? static_cast<float>(1 / (1 - g.number("p")))
                                                    : 1 / (1 - g.number("p"))));
      continue;
    }
    EXPECT_EQ(g.tensor("grad_output").shape(), g.tensor("output").shape());
    EXPECT_EQ(g.tensor("grad_input").shape(), g.tensor("input").shape());
    for (const std::string& grad : g.tensor_names("grad.")) {
      const std::string param = "state." + grad.substr(5);
      EXPECT_EQ(g.tensor(grad).shape(), g.tensor(param).shape()) << grad;
    }
    const bool batch_norm = g.module().starts_with("BatchNorm");
    EXPECT_EQ(!g.tensor_names("state_after.").empty(), batch_norm && g.training());
  }
  for (const char* m : {"Linear",
                        "Conv1d",
                        "Conv2d",
                        "MaxPool2d",
                        "AvgPool2d",
                        "AdaptiveAvgPool2d",
                        "BatchNorm1d",
                        "BatchNorm2d",
                        "LayerNorm",
                        "ReLU",
                        "LeakyReLU",
                        "ELU",
                        "GELU",
                        "Sigmoid",
                        "Tanh",
                        "Softmax",
                        "LogSoftmax",
                        "Softplus",
                        "Dropout",
                        "MSELoss",
                        "L1Loss",
                        "SmoothL1Loss",
                        "HuberLoss",
                        "BCELoss",
                        "BCEWithLogitsLoss",
                        "CrossEntropyLoss",
                        "NLLLoss",
                        "MultiMarginLoss",
                        "HingeLoss"}) {
    EXPECT_TRUE(modules.contains(m)) << "no fixture for " << m;
  }
}

TEST(GoldenFiles, MissingDirectoryIsAnError) {
  EXPECT_THROW_WITH_MESSAGE(golden_files("no_such_dir"), "no_such_dir'; the fixtures are written");
}

TEST(TensorsCloseRel, AcceptsWithinTheToleranceAndRejectsBeyond) {
  const Tensor e = Tensor::from({100.0, 1.0, 0.0});
  EXPECT_TRUE(tensors_close_rel(Tensor::from({100.0009, 1.0, 1e-9}), e, 1e-5, 1e-8));
  const auto r = tensors_close_rel(Tensor::from({100.0011, 1.0, 0.0}), e, 1e-5, 1e-8);
  EXPECT_FALSE(r);
  EXPECT_THAT(r.message(), ::testing::HasSubstr("element [0] differs: actual 100.0011, "
                                                "expected 100"));
  // atol alone covers an expected 0.
  EXPECT_FALSE(tensors_close_rel(Tensor::from({100.0, 1.0, 2e-8}), e, 1e-5, 1e-8));
}

TEST(TensorsCloseRel, RejectsOtherShapesDtypesAndUnmatchedNaN) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_FALSE(tensors_close_rel(Tensor::from({1.0f}), Tensor::from({1.0}), 1, 1));
  EXPECT_FALSE(tensors_close_rel(Tensor::from({1.0, 1.0}), Tensor::from({1.0}), 1, 1));
  EXPECT_FALSE(tensors_close_rel(Tensor::from({nan}), Tensor::from({1.0}), 1, 1));
  EXPECT_FALSE(tensors_close_rel(Tensor::from({1.0}), Tensor::from({nan}), 1, 1));
  EXPECT_TRUE(tensors_close_rel(Tensor::from({nan}), Tensor::from({nan}), 0, 0));
}

TEST(TensorsCloseRel, RaisesTheDeviationToTheWorstSeen) {
  Deviation d;
  EXPECT_TRUE(tensors_close_rel(Tensor::from({2.002, 0.5}), Tensor::from({2.0, 0.5}), 1e-2, 0, &d));
  EXPECT_NEAR(d.abs, 0.002, 1e-12);
  EXPECT_NEAR(d.rel, 0.001, 1e-12);
  EXPECT_NEAR(d.tolerance_used, 0.1, 1e-9);  // 0.002 of 0.02 allowed
  EXPECT_FALSE(tensors_close_rel(Tensor::from({1.0}), Tensor::from({0.5}), 1e-2, 0, &d));
  EXPECT_NEAR(d.abs, 0.5, 1e-12);
  EXPECT_NEAR(d.rel, 1.0, 1e-12);
  EXPECT_NEAR(d.tolerance_used, 100, 1e-9);
  // Smaller deviations leave it as it was.
  EXPECT_TRUE(tensors_close_rel(Tensor::from({1.0}), Tensor::from({1.0}), 0, 0, &d));
  EXPECT_NEAR(d.rel, 1.0, 1e-12);
}

}  // namespace
}  // namespace athanor::testing
