// src/models/sklearn_data_test_util.h: the models tests' data: Debian's python3-sklearn CSVs read
// with athanor's CSV reader and prepared exactly as tests/golden/make_models.py prepares them.
#pragma once

#include <cmath>
#include <string>

#include <athanor/data/csv.h>
#include <athanor/ops/binary.h>
#include <athanor/ops/index.h>
#include <athanor/ops/reduce.h>
#include <athanor/ops/unary.h>

#include "testing/golden.h"

namespace athanor::models::testing {

inline const std::string kSklearnDir = "/usr/lib/python3/dist-packages/sklearn/datasets/data/";

struct RegressionData {
  Tensor x;  // float64 [N, D]
  Tensor y;  // float64 [N] or [N, K]
};

/// sklearn's load_diabetes(): the raw file's float32 features, centred, divided by their
/// population standard deviation and by sqrt(N); float64 [442, 10] and targets [442].
inline RegressionData diabetes() {
  const data::CsvOptions options{.header = false, .delimiter = ' '};
  Tensor x =
      data::read_csv(kSklearnDir + "diabetes_data_raw.csv.gz", options).features.to(kFloat64);
  const Tensor y =
      data::read_csv(kSklearnDir + "diabetes_target.csv.gz", {.header = false}).features;
  const auto n = static_cast<double>(x.shape(0));
  x = (x - mean(x, {0}, true)) / athanor::std(x, {0}, 0, true) / std::sqrt(n);
  return {x, y.to(kFloat64).reshape({-1})};
}

/// Linnerud: 3 exercises -> 3 physiological measurements of 20 men; float64 [20, 3] each.
inline RegressionData linnerud() {
  const data::CsvOptions options{.header = true, .delimiter = ' '};
  return {
      data::read_csv(kSklearnDir + "linnerud_exercise.csv", options).features.to(kFloat64),
      data::read_csv(kSklearnDir + "linnerud_physiological.csv", options).features.to(kFloat64)};
}

struct Split {
  Tensor x_train, y_train, x_test, y_test;  // float64 features, int64 labels
};

/// An sklearn-format classification file split by the fixture's train_index / test_index and
/// standardized with the training split's mean and population standard deviation.
inline Split standardized_split(const std::string& file, const athanor::testing::Golden& g) {
  const data::CsvData d = data::sklearn_csv(kSklearnDir + file);
  const Tensor x = d.features.to(kFloat64);
  const Tensor train = g.tensor("train_index");
  const Tensor test = g.tensor("test_index");
  Split s{index_select(x, 0, train), index_select(d.labels, 0, train), index_select(x, 0, test),
          index_select(d.labels, 0, test)};
  const Tensor mu = mean(s.x_train, {0}, true);
  const Tensor sigma = athanor::std(s.x_train, {0}, 0, true);
  s.x_train = (s.x_train - mu) / sigma;
  s.x_test = (s.x_test - mu) / sigma;
  return s;
}

/// The largest |a - b| over two float64 tensors of one shape.
inline double max_abs_diff(const Tensor& a, const Tensor& b) {
  return max(abs(a.to(kFloat64) - b.to(kFloat64))).item();
}

}  // namespace athanor::models::testing
