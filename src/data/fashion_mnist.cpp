// src/data/fashion_mnist.cpp: MNIST-format splits from IDX files; Fashion-MNIST's location.
#include <algorithm>
#include <filesystem>

#include <athanor/core/error.h>
#include <athanor/core/parallel.h>
#include <athanor/data/fashion_mnist.h>
#include <athanor/data/idx.h>

#include "data/idx_internal.h"

namespace athanor::data {
namespace {

// `dir/name.gz` if present, else `dir/name`, else empty.
std::string find_idx_file(const std::string& dir, const std::string& name) {
  namespace fs = std::filesystem;
  for (const std::string& candidate : {name + ".gz", name}) {
    const fs::path path = fs::path(dir) / candidate;
    std::error_code ec;
    if (fs::is_regular_file(path, ec)) return path.string();
  }
  return {};
}

std::pair<TensorDataset, TensorDataset> load_dir(const std::string& dir,
                                                 const MnistOptions& options, const char* what,
                                                 const char* hint) {
  std::string paths[4];
  const char* names[4] = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                          "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};
  for (int i = 0; i < 4; ++i) {
    paths[i] = find_idx_file(dir, names[i]);
    ATHANOR_CHECK(!paths[i].empty(), "{}: cannot find '{}/{}.gz' (or without .gz){}", what, dir,
                  names[i], hint);
  }
  return {mnist_split(paths[0], paths[1], options), mnist_split(paths[2], paths[3], options)};
}

}  // namespace

TensorDataset mnist_split(const std::string& images_path, const std::string& labels_path,
                          const MnistOptions& options) {
  ATHANOR_CHECK(options.dtype == kFloat32 || options.dtype == kUInt8,
                "mnist: dtype {} is not supported; expected float32 or uint8", name(options.dtype));
  // The images are converted straight from the inflated file's bytes (no uint8 copy first).
  const detail::IdxContents images = detail::read_idx_contents(images_path);
  const Tensor labels = read_idx(labels_path);
  ATHANOR_CHECK(images.dtype == kUInt8 && images.shape.rank() == 3,
                "mnist: '{}' holds {} {}; expected uint8 images [N, height, width]", images_path,
                name(images.dtype), images.shape);
  ATHANOR_CHECK(labels.dtype() == kUInt8 && labels.dim() == 1,
                "mnist: '{}' holds {} {}; expected uint8 labels [N]", labels_path,
                name(labels.dtype()), labels.shape());
  const int64_t n = images.shape[0];
  ATHANOR_CHECK(labels.shape(0) == n, "mnist: '{}' holds {} images but '{}' holds {} labels",
                images_path, n, labels_path, labels.shape(0));
  const Shape input_shape{n, 1, images.shape[1], images.shape[2]};
  const uint8_t* src = images.bytes.data() + images.data_offset;
  Tensor inputs = empty(input_shape, options.dtype);
  if (options.dtype == kUInt8) {
    std::copy_n(src, input_shape.numel(), inputs.data_ptr<uint8_t>());
  } else {
    float* dst = inputs.data_ptr<float>();
    // Exact per element (a byte over a constant), so the thread count cannot change the result.
    parallel_for(0, input_shape.numel(), 1 << 16, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) dst[i] = static_cast<float>(src[i]) / 255.0f;
    });
  }
  return TensorDataset(inputs, labels.to(kInt64));
}

std::pair<TensorDataset, TensorDataset> mnist_idx(const std::string& dir,
                                                  const MnistOptions& options) {
  return load_dir(dir, options, "mnist_idx", "");
}

std::pair<TensorDataset, TensorDataset> fashion_mnist(const std::string& dir,
                                                      const MnistOptions& options) {
  return load_dir(dir, options, "fashion_mnist",
                  "; install dataset-fashion-mnist (apt-get install dataset-fashion-mnist)");
}

}  // namespace athanor::data
