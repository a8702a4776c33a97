// src/config/examples_test.cpp: every examples/*.toml loads, states its expected result in its
// first line, and builds (data, model with its summary, loss, optimizer, schedule, callbacks)
// without training.
#include <fstream>

#include <gtest/gtest.h>

#include <athanor/config/config.h>

namespace athanor::config {
namespace {

// The source tree's examples/ folder, found from this file's path.
const std::filesystem::path kExamples =
    std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() / "examples";

std::vector<std::filesystem::path> run_files() {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(kExamples)) {
    if (entry.path().extension() == ".toml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(Examples, EveryRunFileLoadsAndBuilds) {
  const std::vector<std::filesystem::path> files = run_files();
  EXPECT_GE(files.size(), 8u);
  for (const std::filesystem::path& file : files) {
    SCOPED_TRACE(file.string());
    std::ifstream in(file);
    std::string first;
    std::getline(in, first);
    EXPECT_TRUE(first.starts_with("# Expected: ")) << first;

    const RunConfig c = load_run_file(file);
    const PreparedData d = load_data(c);
    auto model = build_model(c.model, d.input_shape, d.num_outputs);
    Shape batch = d.input_shape;
    batch.insert(0, 1);
    const std::string summary = model->summary(batch);
    EXPECT_NE(summary.find("Linear"), std::string::npos) << summary;
    auto opt = build_optimizer(c.optimizer, model->parameters());
    const train::FitOptions options =
        fit_options(c, d, *model, *opt, std::filesystem::temp_directory_path() / "unused");
    EXPECT_EQ(options.epochs, c.train.epochs);
    EXPECT_FALSE(std::filesystem::exists(std::filesystem::temp_directory_path() / "unused"));
    // The run file as run reads back to the same config.
    EXPECT_EQ(parse_run_file(to_toml(c), "/tmp/as_run.toml"), c);
  }
}

}  // namespace
}  // namespace athanor::config
