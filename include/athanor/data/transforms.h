// include/athanor/data/transforms.h: preprocessing fitted on training data (Standardize, MinMax),
// scaling to [0, 1], one-hot targets, and seeded image augmentation for training.
#pragma once

#include <cstdint>
#include <vector>

#include <athanor/core/random.h>
#include <athanor/data/dataset.h>
#include <athanor/tensor/tensor.h>
#include <athanor/tensor/tensor_dict.h>

namespace athanor::data {

/// (x - mean) / std per feature, with statistics fitted on training inputs only and kept (state())
/// so that evaluation and prediction reuse them. As scikit-learn's StandardScaler: the population
/// standard deviation, and a feature of zero spread is left unscaled (std taken as 1).
class Standardize {
 public:
  Standardize() = default;
  /// Fits on `inputs` [N, ...] reducing over `dims` (default {0}: per feature; {0, 2, 3} on
  /// [N, C, H, W]: per channel). Statistics are computed in float64 and stored with shape
  /// inputs.shape without dim 0 (reduced dims kept as 1), so they broadcast over one example or a
  /// batch.
  static Standardize fit(const Tensor& inputs, const std::vector<int>& dims = {0});
  /// Standardizes an example or a batch, in x's floating dtype.
  Tensor operator()(const Tensor& x) const;
  /// x * std + mean.
  Tensor inverse(const Tensor& x) const;
  /// This as a Transform for TransformDataset.
  Transform transform() const;
  const Tensor& mean() const { return mean_; }
  const Tensor& std() const { return std_; }
  /// {"mean", "std"} (float64), to save beside a model.
  TensorDict state() const;
  /// Rebuilds from state(); throws when an entry is missing or the shapes differ.
  static Standardize from_state(const TensorDict& state);

 private:
  Standardize(Tensor mean, Tensor std) : mean_(std::move(mean)), std_(std::move(std)) {}
  Tensor mean_;
  Tensor std_;
};

/// (x - min) / (max - min) per feature, mapping the training range to [0, 1] (values outside it
/// map outside [0, 1], as scikit-learn's MinMaxScaler). A constant feature is only shifted.
class MinMax {
 public:
  MinMax() = default;
  /// Fits on `inputs` [N, ...] reducing over `dims`, as Standardize::fit.
  static MinMax fit(const Tensor& inputs, const std::vector<int>& dims = {0});
  Tensor operator()(const Tensor& x) const;
  /// x * (max - min) + min.
  Tensor inverse(const Tensor& x) const;
  Transform transform() const;
  const Tensor& min() const { return min_; }
  const Tensor& max() const { return max_; }
  /// {"min", "max"} (float64).
  TensorDict state() const;
  static MinMax from_state(const TensorDict& state);

 private:
  MinMax(Tensor min, Tensor max) : min_(std::move(min)), max_(std::move(max)) {}
  Tensor min_;
  Tensor max_;
};

/// uint8 pixels -> float32 in [0, 1] (x / 255); a floating tensor is returned unchanged.
Tensor scale_to_unit(const Tensor& x);
/// Integer class ids [...] -> one-hot rows [..., num_classes] in `dtype` (for losses on
/// probabilities); throws naming the first id outside [0, num_classes).
Tensor one_hot_targets(const Tensor& ids, int64_t num_classes, DType dtype = kFloat32);

// ---- Augmentation: on float images [C, H, W] or batches [N, C, H, W]; a batch draws separate
// parameters per image, in order, from `gen`. The result is a new tensor (x is not modified).

/// Pads each side with `padding` zeros and crops back to H x W at a uniformly random offset
/// (torchvision's RandomCrop(size, padding) with size = (H, W)).
Tensor random_crop(const Tensor& x, int64_t padding, Generator& gen);
/// Mirrors left-right with probability p.
Tensor random_horizontal_flip(const Tensor& x, Generator& gen, double p = 0.5);
/// Shifts by whole pixels, uniformly up to round(max_fraction * H) vertically and
/// round(max_fraction * W) horizontally in either direction, filling with zeros.
Tensor random_translate(const Tensor& x, double max_fraction, Generator& gen);
/// Adds Normal(0, stddev^2) noise to every element.
Tensor gaussian_noise(const Tensor& x, double stddev, Generator& gen);
/// Zeroes a size x size square (all channels) centred on a uniformly random pixel, clipped at the
/// borders (DeVries & Taylor, 2017).
Tensor cutout(const Tensor& x, int64_t size, Generator& gen);

/// The transforms in order, sharing one generator.
Transform compose(std::vector<Transform> transforms);

}  // namespace athanor::data
