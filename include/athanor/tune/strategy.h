// include/athanor/tune/strategy.h: search strategies (grid, seeded random, successive halving),
// each proposing rounds of trials: configurations with a training budget.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <athanor/tune/search_space.h>

namespace athanor::tune {

/// Whether a higher or a lower score is better.
enum class Mode { kMin, kMax };

/// A score over cross-validation folds (or one hold-out split): mean, population standard
/// deviation (numpy's np.std, as scikit-learn users report it), and the value of each fold.
struct Score {
  double mean = 0;
  double std = 0;
  std::vector<double> values;
  /// The mean and population std of `values` (at least one).
  static Score of(std::vector<double> values);
};

/// A trial to run: `config_index` numbers distinct configurations (a successive-halving config
/// keeps its index across rungs); `budget` is the training epochs (0: the objective's default).
struct TrialSpec {
  int64_t id = 0;
  int64_t config_index = 0;
  int64_t rung = 0;
  int64_t budget = 0;
  Configuration config;
};

/// A finished trial: what ran, its score and its wall time.
struct Trial {
  TrialSpec spec;
  Score score;
  double seconds = 0;
};

/// `a` is better than `b` under `mode` (NaN is worse than anything; ties go to the lower id).
bool better(const Trial& a, const Trial& b, Mode mode);

/// Proposes the search round by round. Round r may depend on the finished trials of round r - 1
/// (and only on them), so a resumed search re-proposes exactly the same trials.
class Strategy {
 public:
  virtual ~Strategy() = default;
  /// The trials of round `round` (from 0), ids continuing from `first_id`; empty when the search
  /// is over. `previous` holds round - 1's finished trials in id order.
  virtual std::vector<TrialSpec> propose(int64_t round, int64_t first_id, const SearchSpace& space,
                                         const std::vector<Trial>& previous, Mode mode) = 0;
  /// "grid", "random" or "halving".
  virtual std::string name() const = 0;
};

/// Every configuration of SearchSpace::grid(), in one round, each with `budget` epochs.
class GridSearch : public Strategy {
 public:
  explicit GridSearch(int64_t budget = 0) : budget_(budget) {}
  std::vector<TrialSpec> propose(int64_t round, int64_t first_id, const SearchSpace& space,
                                 const std::vector<Trial>& previous, Mode mode) override;
  std::string name() const override { return "grid"; }

 private:
  int64_t budget_;
};

/// `trials` configurations drawn by SearchSpace::sample from a std::mt19937_64 seeded with
/// `seed`, in one round, each with `budget` epochs.
class RandomSearch : public Strategy {
 public:
  RandomSearch(int64_t trials, uint64_t seed, int64_t budget = 0);
  std::vector<TrialSpec> propose(int64_t round, int64_t first_id, const SearchSpace& space,
                                 const std::vector<Trial>& previous, Mode mode) override;
  std::string name() const override { return "random"; }

 private:
  int64_t trials_;
  uint64_t seed_;
  int64_t budget_;
};

struct SuccessiveHalvingOptions {
  /// Configurations in rung 0: drawn as RandomSearch(trials, seed) does; 0: the whole grid.
  int64_t trials = 0;
  uint64_t seed = 0;
  /// Rung r trains with min(min_budget * eta^r, max_budget) epochs; the last rung is the first
  /// whose budget reaches max_budget.
  int64_t min_budget = 1;
  int64_t max_budget = 9;
  int64_t eta = 3;
};

/// Successive halving (Jamieson & Talwalkar 2016; the synchronous form of ASHA, Li et al. 2020):
/// rung 0 trains every configuration on min_budget epochs; each later rung retrains, from
/// scratch, the best max(1, floor(n / eta)) of the n configurations of the rung before (ties to
/// the lower id) with eta times the budget, up to max_budget.
class SuccessiveHalving : public Strategy {
 public:
  explicit SuccessiveHalving(SuccessiveHalvingOptions options);
  std::vector<TrialSpec> propose(int64_t round, int64_t first_id, const SearchSpace& space,
                                 const std::vector<Trial>& previous, Mode mode) override;
  std::string name() const override { return "halving"; }
  /// The budget of rung `rung`, and the number of rungs.
  int64_t budget(int64_t rung) const;
  int64_t rungs() const;

 private:
  SuccessiveHalvingOptions options_;
};

}  // namespace athanor::tune
