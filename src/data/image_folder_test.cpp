// src/data/image_folder_test.cpp: image folders from tiny PNGs written here, and resizing
// against PyTorch's interpolate.
#include <filesystem>

#include <gtest/gtest.h>
#include <stb_image_write.h>

#include <athanor/data/image_folder.h>

#include "data/temp_dir_test_util.h"
#include "testing/expect_error.h"
#include "testing/matchers.h"

namespace athanor::data {
namespace {

using testing::TempDir;

// Writes an image of `channels` interleaved bytes [h, w, channels] as a PNG.
std::string write_png(const TempDir& dir, const std::string& name, int w, int h, int channels,
                      const std::vector<uint8_t>& pixels) {
  const std::string path = dir.path(name);
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  EXPECT_NE(stbi_write_png(path.c_str(), w, h, channels, pixels.data(), w * channels), 0) << path;
  return path;
}

std::vector<uint8_t> ramp(size_t n, uint8_t start) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(start + 10 * i);
  return v;
}

TEST(ImageFolder, ReadsClassesInSortedOrderAsChannelsFirstFloats) {
  TempDir dir;
  // Written out of order: the ids must follow the sorted names, not the creation order.
  write_png(dir, "dog/b.png", 3, 2, 3, ramp(18, 100));
  write_png(dir, "dog/a.png", 3, 2, 3, ramp(18, 50));
  write_png(dir, "cat/x.PNG", 3, 2, 3, ramp(18, 0));
  dir.write("cat/notes.txt", "not an image, ignored");
  const ImageFolderData data = image_folder(dir.root().string());
  EXPECT_EQ(data.class_names, (std::vector<std::string>{"cat", "dog"}));
  EXPECT_EQ(data.labels.to_vector<int64_t>(), (std::vector<int64_t>{0, 1, 1}));
  EXPECT_EQ(data.files, (std::vector<std::string>{dir.path("cat/x.PNG"), dir.path("dog/a.png"),
                                                  dir.path("dog/b.png")}));
  ASSERT_EQ(data.images.shape(), Shape({3, 3, 2, 3}));
  // Image 1 is dog/a.png: byte (y, x, c) = 50 + 10 * ((y * 3 + x) * 3 + c), now at [c, y, x].
  const Tensor a = data.images.select(0, 1);
  for (int64_t c = 0; c < 3; ++c) {
    for (int64_t y = 0; y < 2; ++y) {
      for (int64_t x = 0; x < 3; ++x) {
        const float expected = static_cast<float>(50 + 10 * ((y * 3 + x) * 3 + c)) / 255.0f;
        EXPECT_EQ(a.select(0, c).select(0, y).select(0, x).item<float>(), expected);
      }
    }
  }
  EXPECT_EQ(data.dataset().size(), 3);
}

TEST(ImageFolder, ConvertsChannelsAndResizesMixedSizes) {
  TempDir dir;
  write_png(dir, "a/small.png", 2, 2, 1, {0, 51, 102, 153});
  write_png(dir, "b/large.png", 4, 4, 1, std::vector<uint8_t>(16, 255));
  const ImageFolderData grey = image_folder(
      dir.root().string(), {.channels = 1, .size = {{4, 4}}, .resize = Resize::kNearest});
  ASSERT_EQ(grey.images.shape(), Shape({2, 1, 4, 4}));
  // Nearest doubling of [[0, 51], [102, 153]] repeats each pixel in a 2x2 block.
  EXPECT_EQ(grey.images.select(0, 0).select(0, 0).select(0, 3).to_vector<float>(),
            (std::vector<float>{102 / 255.0f, 102 / 255.0f, 153 / 255.0f, 153 / 255.0f}));
  EXPECT_EQ(grey.images.select(0, 1).to_vector<float>(), std::vector<float>(16, 1.0f));
  // A grey PNG read as RGBA: the value in each colour channel, opaque alpha.
  const ImageFolderData rgba = image_folder(dir.root().string(), {.channels = 4, .size = {{2, 2}}});
  EXPECT_EQ(rgba.images.shape(), Shape({2, 4, 2, 2}));
  EXPECT_EQ(rgba.images.select(0, 0).select(1, 1).select(1, 1).to_vector<float>(),
            (std::vector<float>{153 / 255.0f, 153 / 255.0f, 153 / 255.0f, 1.0f}));
}

TEST(ImageFolder, RejectsImagesOfAnotherSizeNamingTheFile) {
  TempDir dir;
  const std::string first = write_png(dir, "a/1.png", 2, 2, 3, ramp(12, 0));
  const std::string odd = write_png(dir, "b/2.png", 3, 2, 3, ramp(18, 0));
  EXPECT_THROW_WITH_MESSAGE(image_folder(dir.root().string()),
                            "image_folder: '" + odd + "' is 2x3 (height x width) but '" + first +
                                "' is 2x2; expected all images the same size (set options.size "
                                "to resize them)");
}

TEST(ImageFolder, RejectsCorruptFileNamingIt) {
  TempDir dir;
  write_png(dir, "a/good.png", 2, 2, 3, ramp(12, 0));
  const std::string bad = dir.write("b/bad.png", "\x89PNG\r\n\x1a\n but then garbage");
  EXPECT_THROW_WITH_MESSAGE(image_folder(dir.root().string()),
                            "image_folder: cannot decode '" + bad + "': ");
}

TEST(ImageFolder, RejectsEmptyOrMissingRootAndBadOptions) {
  TempDir dir;
  std::filesystem::create_directories(dir.root() / "empty_class");
  EXPECT_THROW_WITH_MESSAGE(image_folder(dir.root().string()),
                            "image_folder: '" + dir.root().string() +
                                "' holds no images; expected one subfolder per class");
  EXPECT_THROW_WITH_MESSAGE(image_folder(dir.path("absent")),
                            "image_folder: '" + dir.path("absent") +
                                "' is not a directory; expected one subfolder per class");
  EXPECT_THROW_WITH_MESSAGE(image_folder(dir.root().string(), {.channels = 5}),
                            "image_folder: channels 5 is not supported");
}

// A 1x3x4 image with values 0..11 (divided by 11) resized as PyTorch's
// F.interpolate(x, size, mode, align_corners=False) does; references from PyTorch 1.13, times 11.
Tensor ramp_image() {
  std::vector<float> v(12);
  for (size_t i = 0; i < 12; ++i) v[i] = static_cast<float>(i) / 11.0f;
  return Tensor::from(v, Shape{1, 3, 4});
}

std::vector<float> times11(const Tensor& t) {
  std::vector<float> v = t.to_vector<float>();
  for (float& x : v) x *= 11.0f;
  return v;
}

void expect_near(const std::vector<float>& got, const std::vector<double>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 2e-6) << "element " << i;
}

TEST(ResizeImage, NearestMatchesPyTorch) {
  expect_near(times11(resize_image(ramp_image(), 5, 3, Resize::kNearest)),
              {0, 1, 2, 0, 1, 2, 4, 5, 6, 4, 5, 6, 8, 9, 10});
  expect_near(times11(resize_image(ramp_image(), 2, 6, Resize::kNearest)),
              {0, 0, 1, 2, 2, 3, 4, 4, 5, 6, 6, 7});
}

TEST(ResizeImage, BilinearMatchesPyTorch) {
  expect_near(
      times11(resize_image(ramp_image(), 5, 3, Resize::kBilinear)),
      {0.166666687, 1.5, 2.833333492, 1.76666677, 3.100000381, 4.433333397, 4.166666985, 5.5,
       6.833333492, 6.56666708, 7.900000572, 9.233333588, 8.166666985, 9.5, 10.833333015});
  expect_near(times11(resize_image(ramp_image(), 2, 6, Resize::kBilinear)),
              {1.0, 1.5, 2.166666746, 2.833333254, 3.500000238, 4.0, 7.0, 7.5, 8.166666985,
               8.833333015, 9.5, 10.0});
}

TEST(ResizeImage, RejectsBadInput) {
  EXPECT_THROW_WITH_MESSAGE(resize_image(ramp_image(), 0, 2, Resize::kNearest),
                            "resize_image: target size 0x2 (height x width) must be positive");
  EXPECT_THROW_WITH_MESSAGE(resize_image(Tensor::from({1.0, 2.0}), 2, 2, Resize::kNearest),
                            "resize_image: expected a float32 image [C, H, W], got float64 [2]");
}

}  // namespace
}  // namespace athanor::data
