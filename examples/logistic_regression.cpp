// examples/logistic_regression.cpp: binary logistic regression (Linear + BCEWithLogits, plain
// full-batch gradient descent, L2 penalty) on scikit-learn's breast_cancer.csv (Debian's
// python3-sklearn): 569 tumours, 30 features, malignant (0) or benign (1). Features are
// standardized with the training split's statistics. Prints the loss curve and test accuracy.
//   usage: logistic_regression [path/to/breast_cancer.csv]
#include <charconv>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <athanor/athanor.h>

using namespace athanor;

namespace {

constexpr const char* kDefaultPath =
    "/usr/lib/python3/dist-packages/sklearn/datasets/data/breast_cancer.csv";

// scikit-learn's format: a first line "569,30,malignant,benign" (rows, features, class names),
// then one row per sample: 30 features and the class index.
void read_csv(const std::string& path, std::vector<double>& features, std::vector<double>& labels,
              int64_t& n_features) {
  std::ifstream in(path);
  ATHANOR_CHECK(in.good(), "cannot open '{}'; install python3-sklearn (make deps) or pass a path",
                path);
  std::string line;
  std::getline(in, line);
  int64_t n_rows = 0;
  ATHANOR_CHECK(std::sscanf(line.c_str(), "%ld,%ld", &n_rows, &n_features) == 2,
                "{}:1: expected 'rows,features,...', got '{}'", path, line);
  for (int64_t row = 0; row < n_rows; ++row) {
    ATHANOR_CHECK(std::getline(in, line), "{}: expected {} rows, found {}", path, n_rows, row);
    const char* p = line.data();
    const char* end = p + line.size();
    for (int64_t col = 0; col <= n_features; ++col) {
      double v = 0;
      auto [next, ec] = std::from_chars(p, end, v);
      ATHANOR_CHECK(ec == std::errc() && (col == n_features ? next == end : *next == ','),
                    "{}:{}: column {} is not a number", path, row + 2, col + 1);
      (col == n_features ? labels : features).push_back(v);
      p = next + 1;
    }
  }
}

}  // namespace

int main(int argc, char** argv) try {
  const std::string path = argc > 1 ? argv[1] : kDefaultPath;
  std::vector<double> feature_values, label_values;
  int64_t n_features = 0;
  read_csv(path, feature_values, label_values, n_features);
  const auto n = static_cast<int64_t>(label_values.size());
  const Tensor x_all = Tensor::from(feature_values, {n, n_features}).to(kFloat32);
  const Tensor y_all = Tensor::from(label_values, {n, 1}).to(kFloat32);

  // 80 / 20 split of a seeded permutation.
  Generator gen(0);
  const Tensor order = randperm(n, &gen);
  const int64_t n_train = n * 4 / 5;
  const Tensor train_idx = order.narrow(0, 0, n_train);
  const Tensor test_idx = order.narrow(0, n_train, n - n_train);
  Tensor x_train = index_select(x_all, 0, train_idx);
  Tensor x_test = index_select(x_all, 0, test_idx);
  const Tensor y_train = index_select(y_all, 0, train_idx);
  const Tensor y_test = index_select(y_all, 0, test_idx);

  // Standardize with the training statistics only (the test split stays unseen).
  const Tensor mu = mean(x_train, {0}, true);
  const Tensor sigma = athanor::std(x_train, {0}, 0, true);
  x_train = (x_train - mu) / sigma;
  x_test = (x_test - mu) / sigma;

  manual_seed(0);
  nn::Linear model(n_features, 1);
  const double lr = 0.5;
  const double lambda = 1e-3;  // J = J_data + lambda * ||w||^2 (the bias is not penalized)
  const int steps = 300;
  for (int step = 0; step <= steps; ++step) {
    const Tensor data_loss = binary_cross_entropy_with_logits(model(x_train), y_train);
    const Tensor loss = data_loss + lambda * nn::l2_penalty({model.weight});
    if (step % 50 == 0)
      std::printf("step %3d  loss %.4f  (data %.4f)\n", step, loss.item(), data_loss.item());
    if (step == steps) break;
    for (Tensor& p : model.parameters()) p.set_grad(Tensor());
    loss.backward();
    NoGradGuard no_grad;
    for (Tensor& p : model.parameters()) p.copy_(p - lr * p.grad());
  }

  NoGradGuard no_grad;
  const Tensor predicted = model(x_test) > 0.0;
  const double accuracy = mean(eq(predicted, y_test > 0.5).to(kFloat32)).item();
  std::printf("train %ld  test %ld  test accuracy %.4f\n", n_train, n - n_train, accuracy);
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "error: %s\n", e.what());
  return 1;
}
