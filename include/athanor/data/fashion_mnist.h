// include/athanor/data/fashion_mnist.h: MNIST-style datasets from IDX files, and Fashion-MNIST
// where Debian's dataset-fashion-mnist installs it.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <utility>

#include <athanor/core/dtype.h>
#include <athanor/data/dataset.h>

namespace athanor::data {

/// Where Debian's dataset-fashion-mnist package installs the four gz files.
inline constexpr std::string_view kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

/// Fashion-MNIST's class names, by label id.
inline constexpr std::array<std::string_view, 10> kFashionMnistClasses = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

struct MnistOptions {
  /// kFloat32: pixels divided by 255, in [0, 1] (ready for a model); kUInt8: the stored bytes
  /// (a quarter of the memory, for pipelines that convert per batch).
  DType dtype = kFloat32;
};

/// The train and test splits of an MNIST-format directory holding
/// {train,t10k}-{images-idx3,labels-idx1}-ubyte, each optionally with a .gz suffix. Inputs are
/// [N, 1, H, W] (dtype per `options`), targets int64 [N] labels.
std::pair<TensorDataset, TensorDataset> mnist_idx(const std::string& dir,
                                                  const MnistOptions& options = {});

/// Fashion-MNIST: train (60000 examples) and test (10000), inputs [N, 1, 28, 28], targets int64
/// class ids 0..9 (names in kFashionMnistClasses). When the files are absent the error names the
/// Debian package to install.
std::pair<TensorDataset, TensorDataset> fashion_mnist(
    const std::string& dir = std::string(kFashionMnistDir), const MnistOptions& options = {});

/// One split of an MNIST-format dataset from its image and label IDX files (raw or gz).
TensorDataset mnist_split(const std::string& images_path, const std::string& labels_path,
                          const MnistOptions& options = {});

}  // namespace athanor::data
