// src/data/split.cpp: random_split, stratified_split, k_fold and stratified_k_fold.
#include <algorithm>
#include <cmath>
#include <numeric>

#include <athanor/core/error.h>
#include <athanor/core/random.h>
#include <athanor/data/split.h>

namespace athanor::data {
namespace {

/// Applies a seeded permutation to `v` (Fisher-Yates from the Philox randperm).
void shuffle(std::vector<int64_t>& v, Generator& gen) {
  const std::vector<int64_t> perm = randperm(gen, static_cast<int64_t>(v.size()));
  std::vector<int64_t> out(v.size());
  for (size_t k = 0; k < v.size(); ++k) out[k] = v[static_cast<size_t>(perm[k])];
  v = std::move(out);
}

void check_fractions(const char* op, const std::vector<double>& fractions) {
  ATHANOR_CHECK(!fractions.empty(), "{}: expected at least one fraction, got none", op);
  double total = 0;
  for (double f : fractions) {
    ATHANOR_CHECK(f >= 0 && f <= 1, "{}: fractions must be in [0, 1], got {}", op,
                  fmt::join(fractions, ", "));
    total += f;
  }
  ATHANOR_CHECK(std::abs(total - 1) < 1e-6, "{}: fractions must sum to 1, got {} (sum {})", op,
                fmt::join(fractions, ", "), total);
}

/// Counts for `n` items shared by `fractions` (summing to 1): floor(n f) each, then the
/// remainder one each to the splits with the largest fractional parts (ties: earlier first), so
/// every count is within one of n f.
std::vector<int64_t> largest_remainder(int64_t n, const std::vector<double>& fractions) {
  std::vector<int64_t> counts(fractions.size());
  std::vector<double> rest(fractions.size());
  int64_t assigned = 0;
  for (size_t s = 0; s < fractions.size(); ++s) {
    const double exact = static_cast<double>(n) * fractions[s];
    counts[s] = static_cast<int64_t>(std::floor(exact + 1e-9));
    rest[s] = exact - static_cast<double>(counts[s]);
    assigned += counts[s];
  }
  std::vector<size_t> order(fractions.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return rest[a] > rest[b]; });
  for (size_t k = 0; assigned < n; ++k, ++assigned) ++counts[order[k % order.size()]];
  return counts;
}

/// Class id -> its indices (ascending), from 1-D integer labels.
std::vector<std::vector<int64_t>> members_by_class(const char* op, const Tensor& labels) {
  ATHANOR_CHECK(labels.defined() && labels.dim() == 1 && !labels.is_floating_point() &&
                    labels.dtype() != kBool,
                "{}: expected 1-D integer class labels, got {} of shape {}", op,
                labels.defined() ? name(labels.dtype()) : "undefined",
                labels.defined() ? to_string(labels.shape()) : "[]");
  const std::vector<int64_t> v = labels.to_vector<int64_t>();
  std::vector<std::vector<int64_t>> classes;
  for (size_t i = 0; i < v.size(); ++i) {
    ATHANOR_CHECK(v[i] >= 0, "{}: label {} at index {} is negative; expected class ids >= 0", op,
                  v[i], i);
    if (static_cast<size_t>(v[i]) >= classes.size()) classes.resize(static_cast<size_t>(v[i]) + 1);
    classes[static_cast<size_t>(v[i])].push_back(static_cast<int64_t>(i));
  }
  return classes;
}

std::vector<Fold> folds_from_assignment(const std::vector<int64_t>& fold_of, int64_t k) {
  std::vector<Fold> folds(static_cast<size_t>(k));
  for (size_t i = 0; i < fold_of.size(); ++i) {
    for (int64_t f = 0; f < k; ++f) {
      auto& fold = folds[static_cast<size_t>(f)];
      (fold_of[i] == f ? fold.val : fold.train).push_back(static_cast<int64_t>(i));
    }
  }
  return folds;
}

void check_k(const char* op, int64_t n, int64_t k) {
  ATHANOR_CHECK(k >= 2 && k <= n, "{}: expected 2 <= k <= {} (the number of examples), got k = {}",
                op, n, k);
}

}  // namespace

std::vector<std::vector<int64_t>> random_split(int64_t n, const std::vector<double>& lengths,
                                               uint64_t seed) {
  ATHANOR_CHECK(n >= 0, "random_split: expected n >= 0, got {}", n);
  ATHANOR_CHECK(!lengths.empty(), "random_split: expected at least one length, got none");
  const double total = std::accumulate(lengths.begin(), lengths.end(), 0.0);
  std::vector<int64_t> counts;
  if (std::abs(total - 1) < 1e-6 &&
      std::all_of(lengths.begin(), lengths.end(), [](double f) { return f <= 1; })) {
    check_fractions("random_split", lengths);
    // PyTorch's rule: floor(n f) each, then the remainder one each to the first splits.
    int64_t assigned = 0;
    for (double f : lengths) {
      counts.push_back(static_cast<int64_t>(std::floor(static_cast<double>(n) * f + 1e-9)));
      assigned += counts.back();
    }
    for (size_t s = 0; assigned < n; ++s, ++assigned) ++counts[s % counts.size()];
  } else {
    for (double c : lengths) {
      ATHANOR_CHECK(c >= 0 && c == std::floor(c),
                    "random_split: lengths must be fractions summing to 1 or whole counts "
                    "summing to n = {}, got {}",
                    n, fmt::join(lengths, ", "));
      counts.push_back(static_cast<int64_t>(c));
    }
    ATHANOR_CHECK(static_cast<int64_t>(total) == n,
                  "random_split: counts {} sum to {}, but the dataset has {} examples; expected "
                  "counts summing to n or fractions summing to 1",
                  fmt::join(lengths, ", "), total, n);
  }
  Generator gen(seed);
  const std::vector<int64_t> perm = randperm(gen, n);
  std::vector<std::vector<int64_t>> out;
  auto it = perm.begin();
  for (int64_t c : counts) {
    out.emplace_back(it, it + c);
    it += c;
  }
  return out;
}

std::vector<std::shared_ptr<Subset>> random_split(const std::shared_ptr<const Dataset>& dataset,
                                                  const std::vector<double>& lengths,
                                                  uint64_t seed) {
  ATHANOR_CHECK(dataset != nullptr, "random_split: expected a dataset, got a null pointer");
  std::vector<std::shared_ptr<Subset>> out;
  for (auto& indices : random_split(dataset->size(), lengths, seed)) {
    out.push_back(std::make_shared<Subset>(dataset, std::move(indices)));
  }
  return out;
}

std::vector<std::vector<int64_t>> stratified_split(const Tensor& labels,
                                                   const std::vector<double>& fractions,
                                                   uint64_t seed) {
  check_fractions("stratified_split", fractions);
  auto classes = members_by_class("stratified_split", labels);
  Generator gen(seed);
  std::vector<std::vector<int64_t>> out(fractions.size());
  for (auto& members : classes) {
    shuffle(members, gen);
    const std::vector<int64_t> counts =
        largest_remainder(static_cast<int64_t>(members.size()), fractions);
    auto it = members.begin();
    for (size_t s = 0; s < counts.size(); ++s) {
      out[s].insert(out[s].end(), it, it + counts[s]);
      it += counts[s];
    }
  }
  // Mix the classes within each split (they were appended class by class).
  for (auto& split : out) shuffle(split, gen);
  return out;
}

std::vector<Fold> k_fold(int64_t n, int64_t k, bool shuffle_indices, uint64_t seed) {
  check_k("k_fold", n, k);
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), int64_t{0});
  if (shuffle_indices) {
    Generator gen(seed);
    shuffle(order, gen);
  }
  std::vector<int64_t> fold_of(static_cast<size_t>(n));
  size_t pos = 0;
  for (int64_t f = 0; f < k; ++f) {
    const int64_t size = n / k + (f < n % k ? 1 : 0);
    for (int64_t j = 0; j < size; ++j) fold_of[static_cast<size_t>(order[pos++])] = f;
  }
  return folds_from_assignment(fold_of, k);
}

std::vector<Fold> stratified_k_fold(const Tensor& labels, int64_t k, bool shuffle_indices,
                                    uint64_t seed) {
  auto classes = members_by_class("stratified_k_fold", labels);
  const int64_t n = labels.numel();
  check_k("stratified_k_fold", n, k);
  Generator gen(seed);
  std::vector<int64_t> fold_of(static_cast<size_t>(n));
  // Deal each class's members round-robin to the folds, continuing where the previous class
  // stopped: every class is spread within one per fold, and fold sizes within one overall.
  int64_t next = 0;
  for (auto& members : classes) {
    if (shuffle_indices) shuffle(members, gen);
    for (int64_t i : members) fold_of[static_cast<size_t>(i)] = next++ % k;
  }
  return folds_from_assignment(fold_of, k);
}

}  // namespace athanor::data
