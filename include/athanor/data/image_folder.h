// include/athanor/data/image_folder.h: images in one subfolder per class (PNG, JPEG, BMP, ...
// through stb_image), checked to or resized to one size.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <athanor/data/dataset.h>

namespace athanor::data {

enum class Resize {
  /// The nearest source pixel (PyTorch's interpolate mode "nearest").
  kNearest,
  /// Bilinear, half-pixel centres (PyTorch's interpolate "bilinear", align_corners=False).
  kBilinear,
};

struct ImageFolderOptions {
  /// 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA; every image is converted to it.
  int channels = 3;
  /// {height, width} to resize every image to; none: all images must have the first one's size.
  std::optional<std::pair<int64_t, int64_t>> size = {};
  Resize resize = Resize::kBilinear;
  /// File name endings read as images (case-insensitive); other files are ignored.
  std::vector<std::string> extensions = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tga"};
};

/// What an image folder held.
struct ImageFolderData {
  /// float32 [N, C, H, W] in [0, 1] (bytes / 255).
  Tensor images;
  /// int64 [N] class ids: the index of the image's subfolder in class_names.
  Tensor labels;
  /// The subfolder names, sorted: id -> class name.
  std::vector<std::string> class_names;
  /// Each image's path, in order (by class, then by file name).
  std::vector<std::string> files;

  TensorDataset dataset() const { return TensorDataset(images, labels); }
};

/// Reads `root`/<class>/<image> for every subfolder of `root` (class ids follow the sorted
/// subfolder names). Errors name the offending file: one that cannot be decoded, or (without
/// options.size) one whose size differs from the first image's.
ImageFolderData image_folder(const std::string& root, const ImageFolderOptions& options = {});

/// Resizes one image, float32 [C, H, W] -> [C, height, width] (the resampling image_folder uses).
Tensor resize_image(const Tensor& image, int64_t height, int64_t width, Resize mode);

}  // namespace athanor::data
