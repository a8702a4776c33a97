// tools/athanor/evaluation.cpp: evaluate and format_scores.
#include "evaluation.h"

#include <fmt/format.h>

#include <athanor/autograd/grad_mode.h>
#include <athanor/data/loader.h>
#include <athanor/metrics/metrics.h>

namespace athanor::cli {

Scores evaluate(train::Trainer& trainer, const config::RunConfig& config,
                const std::shared_ptr<const data::Dataset>& dataset, int64_t num_classes) {
  Scores scores;
  metrics::MetricList list = config::build_metrics(config, num_classes);
  const bool classification = num_classes > 0;
  if (classification && list.empty()) list.push_back(metrics::Accuracy());
  const int64_t batch_size = std::max<int64_t>(config.train.batch_size, 256);
  scores.logs = trainer.evaluate(dataset, {.batch_size = batch_size, .metrics = list});
  scores.examples = dataset->size();
  if (!classification) return scores;

  // The confusion matrix needs the outputs and targets side by side.
  const bool logits = config.loss.name != "bce";  // bce takes probabilities, the others logits
  metrics::ConfusionMatrix matrix(
      {.average = metrics::Average::Macro, .num_classes = num_classes, .from_logits = logits});
  const Tensor outputs = trainer.predict(dataset, batch_size);
  data::DataLoader loader(dataset, {.batch_size = batch_size});
  int64_t start = 0;
  for (auto& batch : loader) {
    const int64_t n = batch.target.size(0);
    matrix.update(outputs.slice(0, start, start + n), batch.target);
    start += n;
  }
  const std::vector<int64_t> counts = matrix.matrix().to_vector<int64_t>();
  for (int64_t i = 0; i < num_classes; ++i) {
    scores.confusion.emplace_back(counts.begin() + i * num_classes,
                                  counts.begin() + (i + 1) * num_classes);
  }
  return scores;
}

std::string format_scores(const train::Logs& logs) {
  std::string out;
  for (const auto& [name, value] : logs) {
    out += fmt::format("{}{} {:.4f}", out.empty() ? "" : "  ", name, value);
  }
  return out;
}

}  // namespace athanor::cli
