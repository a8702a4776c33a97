// src/data/image_folder.cpp: image folders through stb_image, and nearest/bilinear resizing.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <memory>

#include <fmt/ranges.h>
#include <stb_image.h>

#include <athanor/core/error.h>
#include <athanor/data/image_folder.h>

namespace athanor::data {
namespace {

namespace fs = std::filesystem;

bool has_extension(const fs::path& path, const std::vector<std::string>& extensions) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return std::any_of(extensions.begin(), extensions.end(), [&](const std::string& e) {
    std::string wanted = e;
    std::transform(wanted.begin(), wanted.end(), wanted.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return wanted == ext;
  });
}

std::vector<fs::path> sorted_entries(const fs::path& dir, bool directories) {
  std::vector<fs::path> out;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    if (directories ? entry.is_directory() : entry.is_regular_file()) out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Source coordinate of destination index i for a scale in/out, with half-pixel centres
// (PyTorch's align_corners=False): x = (i + 0.5) * in / out - 0.5, clamped below at 0.
double source_coordinate(int64_t i, int64_t in, int64_t out) {
  return std::max(
      0.0,
      (static_cast<double>(i) + 0.5) * static_cast<double>(in) / static_cast<double>(out) - 0.5);
}

}  // namespace

Tensor resize_image(const Tensor& image, int64_t height, int64_t width, Resize mode) {
  ATHANOR_CHECK(image.dim() == 3 && image.dtype() == kFloat32,
                "resize_image: expected a float32 image [C, H, W], got {} {}", name(image.dtype()),
                image.shape());
  ATHANOR_CHECK(height > 0 && width > 0,
                "resize_image: target size {}x{} (height x width) must be positive", height, width);
  const Tensor src_t = image.contiguous();
  const int64_t channels = image.shape(0);
  const int64_t in_h = image.shape(1);
  const int64_t in_w = image.shape(2);
  Tensor out = empty({channels, height, width}, kFloat32);
  const float* src = src_t.data_ptr<float>();
  float* dst = out.data_ptr<float>();
  for (int64_t c = 0; c < channels; ++c) {
    const float* plane = src + c * in_h * in_w;
    for (int64_t y = 0; y < height; ++y) {
      for (int64_t x = 0; x < width; ++x) {
        float value = 0;
        if (mode == Resize::kNearest) {
          // PyTorch's "nearest": floor(i * in / out), computed exactly in integers.
          const int64_t sy = std::min(y * in_h / height, in_h - 1);
          const int64_t sx = std::min(x * in_w / width, in_w - 1);
          value = plane[sy * in_w + sx];
        } else {
          const double fy = source_coordinate(y, in_h, height);
          const double fx = source_coordinate(x, in_w, width);
          const int64_t y0 = std::min(static_cast<int64_t>(fy), in_h - 1);
          const int64_t x0 = std::min(static_cast<int64_t>(fx), in_w - 1);
          const int64_t y1 = std::min(y0 + 1, in_h - 1);
          const int64_t x1 = std::min(x0 + 1, in_w - 1);
          const double wy = fy - static_cast<double>(y0);
          const double wx = fx - static_cast<double>(x0);
          const double top = (1 - wx) * plane[y0 * in_w + x0] + wx * plane[y0 * in_w + x1];
          const double bottom = (1 - wx) * plane[y1 * in_w + x0] + wx * plane[y1 * in_w + x1];
          value = static_cast<float>((1 - wy) * top + wy * bottom);
        }
        dst[(c * height + y) * width + x] = value;
      }
    }
  }
  return out;
}

ImageFolderData image_folder(const std::string& root, const ImageFolderOptions& options) {
  ATHANOR_CHECK(options.channels >= 1 && options.channels <= 4,
                "image_folder: channels {} is not supported; expected 1 (grey), 2 (grey + alpha), "
                "3 (RGB) or 4 (RGBA)",
                options.channels);
  if (options.size) {
    ATHANOR_CHECK(options.size->first > 0 && options.size->second > 0,
                  "image_folder: size {}x{} (height x width) must be positive", options.size->first,
                  options.size->second);
  }
  std::error_code ec;
  ATHANOR_CHECK(fs::is_directory(root, ec),
                "image_folder: '{}' is not a directory; expected one subfolder per class", root);
  ImageFolderData result;
  std::vector<int64_t> labels;
  std::vector<Tensor> images;
  int64_t height = options.size ? options.size->first : -1;
  int64_t width = options.size ? options.size->second : -1;
  const int64_t channels = options.channels;
  for (const fs::path& class_dir : sorted_entries(root, true)) {
    const auto id = static_cast<int64_t>(result.class_names.size());
    result.class_names.push_back(class_dir.filename().string());
    for (const fs::path& file : sorted_entries(class_dir, false)) {
      if (!has_extension(file, options.extensions)) continue;
      int w = 0;
      int h = 0;
      int stored_channels = 0;
      std::unique_ptr<stbi_uc, void (*)(void*)> pixels(
          stbi_load(file.c_str(), &w, &h, &stored_channels, options.channels), &stbi_image_free);
      ATHANOR_CHECK(pixels != nullptr, "image_folder: cannot decode '{}': {}", file.string(),
                    stbi_failure_reason() != nullptr ? stbi_failure_reason() : "unknown error");
      if (height < 0) {
        height = h;
        width = w;
      }
      // Bytes [H, W, C] -> floats [C, H, W] in [0, 1].
      Tensor image = empty({channels, h, w}, kFloat32);
      float* dst = image.data_ptr<float>();
      for (int64_t c = 0; c < channels; ++c) {
        for (int64_t p = 0; p < int64_t{h} * w; ++p) {
          dst[c * h * w + p] = static_cast<float>(pixels.get()[p * channels + c]) / 255.0f;
        }
      }
      if (h != height || w != width) {
        ATHANOR_CHECK(options.size.has_value(),
                      "image_folder: '{}' is {}x{} (height x width) but '{}' is {}x{}; expected "
                      "all images the same size (set options.size to resize them)",
                      file.string(), h, w, result.files.front(), height, width);
        image = resize_image(image, height, width, options.resize);
      }
      images.push_back(image);
      labels.push_back(id);
      result.files.push_back(file.string());
    }
  }
  ATHANOR_CHECK(!images.empty(),
                "image_folder: '{}' holds no images; expected one subfolder per class holding "
                "image files ({})",
                root, fmt::join(options.extensions, ", "));
  const auto n = static_cast<int64_t>(images.size());
  result.images = empty({n, channels, height, width}, kFloat32);
  float* dst = result.images.data_ptr<float>();
  const int64_t per_image = channels * height * width;
  for (int64_t i = 0; i < n; ++i) {
    std::copy_n(images[static_cast<size_t>(i)].data_ptr<float>(), per_image, dst + i * per_image);
  }
  result.labels = Tensor::from(labels, Shape{n});
  return result;
}

}  // namespace athanor::data
