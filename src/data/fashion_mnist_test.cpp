// src/data/fashion_mnist_test.cpp: Fashion-MNIST from Debian's dataset-fashion-mnist, and the
// MNIST-format directory reader on small files written here.
#include <numeric>

#include <gtest/gtest.h>

#include <athanor/data/fashion_mnist.h>

#include "data/temp_dir_test_util.h"
#include "testing/expect_error.h"

namespace athanor::data {
namespace {

using testing::TempDir;

std::vector<int64_t> label_counts(const Tensor& labels) {
  std::vector<int64_t> counts(10, 0);
  for (int64_t id : labels.to_vector<int64_t>()) ++counts.at(static_cast<size_t>(id));
  return counts;
}

// Both splits, loaded once for the suite (about a second).
class FashionMnist : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    data_ = new std::pair<TensorDataset, TensorDataset>(fashion_mnist());
  }
  static void TearDownTestSuite() {
    delete data_;
    data_ = nullptr;
  }
  static std::pair<TensorDataset, TensorDataset>* data_;
};
std::pair<TensorDataset, TensorDataset>* FashionMnist::data_ = nullptr;

TEST_F(FashionMnist, TrainSplitHasShapesFirstAndLastValuesAndBalancedLabels) {
  const TensorDataset& train = data_->first;
  EXPECT_EQ(train.size(), 60000);
  EXPECT_EQ(train.inputs().shape(), Shape({60000, 1, 28, 28}));
  EXPECT_EQ(train.inputs().dtype(), kFloat32);
  EXPECT_EQ(train.targets().shape(), Shape({60000}));
  EXPECT_EQ(train.targets().dtype(), kInt64);
  const std::vector<int64_t> labels = train.targets().to_vector<int64_t>();
  EXPECT_EQ(std::vector<int64_t>(labels.begin(), labels.begin() + 5),
            (std::vector<int64_t>{9, 0, 0, 3, 0}));
  EXPECT_EQ(std::vector<int64_t>(labels.end() - 3, labels.end()), (std::vector<int64_t>{3, 0, 5}));
  EXPECT_EQ(label_counts(train.targets()), std::vector<int64_t>(10, 6000));
  // Row 14, columns 10..17 of the first and last images (bytes from the file, divided by 255).
  const std::vector<float> first =
      train.inputs().select(0, 0).select(0, 0).select(0, 14).narrow(0, 10, 8).to_vector<float>();
  const std::vector<float> last = train.inputs()
                                      .select(0, 59999)
                                      .select(0, 0)
                                      .select(0, 14)
                                      .narrow(0, 10, 8)
                                      .to_vector<float>();
  const std::vector<int> first_bytes = {0, 0, 237, 226, 217, 223, 222, 219};
  const std::vector<int> last_bytes = {34, 0, 3, 3, 0, 3, 0, 24};
  for (size_t i = 0; i < 8; ++i) {
    EXPECT_EQ(first[i], static_cast<float>(first_bytes[i]) / 255.0f) << i;
    EXPECT_EQ(last[i], static_cast<float>(last_bytes[i]) / 255.0f) << i;
  }
  // Sum of the first image's bytes: 76247.
  const std::vector<float> image0 = train.inputs().select(0, 0).to_vector<float>();
  double sum = 0;
  for (float v : image0) sum += std::round(static_cast<double>(v) * 255.0);
  EXPECT_EQ(sum, 76247.0);
}

TEST_F(FashionMnist, TestSplitHasShapesAndBalancedLabels) {
  const TensorDataset& test = data_->second;
  EXPECT_EQ(test.inputs().shape(), Shape({10000, 1, 28, 28}));
  const std::vector<int64_t> labels = test.targets().to_vector<int64_t>();
  EXPECT_EQ(std::vector<int64_t>(labels.begin(), labels.begin() + 5),
            (std::vector<int64_t>{9, 2, 1, 1, 6}));
  EXPECT_EQ(std::vector<int64_t>(labels.end() - 3, labels.end()), (std::vector<int64_t>{8, 1, 5}));
  EXPECT_EQ(label_counts(test.targets()), std::vector<int64_t>(10, 1000));
  const Example last = test.get(9999);
  EXPECT_EQ(last.target.item<int64_t>(), 5);
  EXPECT_EQ(last.input.shape(), Shape({1, 28, 28}));
  EXPECT_EQ(kFashionMnistClasses[5], "Sandal");
}

TEST(FashionMnistFiles, MissingDirectoryNamesThePackage) {
  TempDir dir;
  EXPECT_THROW_WITH_MESSAGE(
      fashion_mnist(dir.path("nowhere")),
      "fashion_mnist: cannot find '" + dir.path("nowhere") +
          "/train-images-idx3-ubyte.gz' (or without .gz); install dataset-fashion-mnist "
          "(apt-get install dataset-fashion-mnist)");
}

std::string idx_header(uint8_t ndim, const std::vector<uint32_t>& dims) {
  std::string out = {0, 0, 8, static_cast<char>(ndim)};
  for (uint32_t d : dims) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(d >> shift));
  }
  return out;
}

TEST(MnistIdx, ReadsRawFilesAsUint8OrScaledFloat) {
  TempDir dir;
  std::string pixels(2 * 2 * 3, '\0');
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<char>(i * 20);
  dir.write("train-images-idx3-ubyte", idx_header(3, {2, 2, 3}) + pixels);
  dir.write("train-labels-idx1-ubyte", idx_header(1, {2}) + std::string{7, 3});
  dir.write("t10k-images-idx3-ubyte", idx_header(3, {1, 2, 3}) + pixels.substr(0, 6));
  dir.write("t10k-labels-idx1-ubyte", idx_header(1, {1}) + std::string(1, '\1'));

  const auto [train, test] = mnist_idx(dir.root().string());
  EXPECT_EQ(train.inputs().shape(), Shape({2, 1, 2, 3}));
  EXPECT_EQ(train.inputs().select(0, 1).to_vector<float>()[5], 220.0f / 255.0f);
  EXPECT_EQ(train.targets().to_vector<int64_t>(), (std::vector<int64_t>{7, 3}));
  EXPECT_EQ(test.size(), 1);

  const auto bytes = mnist_idx(dir.root().string(), {.dtype = kUInt8});
  EXPECT_EQ(bytes.first.inputs().dtype(), kUInt8);
  EXPECT_EQ(bytes.first.inputs().to_vector<int64_t>()[11], 220);
}

TEST(MnistIdx, RejectsWrongDimensionsAndMismatchedCounts) {
  TempDir dir;
  const std::string images2d = dir.write("i2", idx_header(2, {2, 3}) + std::string(6, '\0'));
  const std::string images = dir.write("i3", idx_header(3, {2, 1, 3}) + std::string(6, '\0'));
  const std::string labels = dir.write("l", idx_header(1, {3}) + std::string(3, '\0'));
  EXPECT_THROW_WITH_MESSAGE(
      mnist_split(images2d, labels),
      "mnist: '" + images2d + "' holds uint8 [2, 3]; expected uint8 images [N, height, width]");
  EXPECT_THROW_WITH_MESSAGE(mnist_split(images, images),
                            "mnist: '" + images + "' holds uint8 [2, 1, 3]; expected uint8 labels");
  EXPECT_THROW_WITH_MESSAGE(
      mnist_split(images, labels),
      "mnist: '" + images + "' holds 2 images but '" + labels + "' holds 3 labels");
  EXPECT_THROW_WITH_MESSAGE(mnist_split(images, labels, {.dtype = kInt64}),
                            "mnist: dtype int64 is not supported; expected float32 or uint8");
  EXPECT_THROW_WITH_MESSAGE(mnist_idx(dir.root().string()),
                            "mnist_idx: cannot find '" + dir.root().string() +
                                "/train-images-idx3-ubyte.gz' (or without .gz)");
}

}  // namespace
}  // namespace athanor::data
