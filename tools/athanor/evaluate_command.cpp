// tools/athanor/evaluate_command.cpp: `athanor evaluate RUN_DIR|MODEL [--data PATH] [--json]`:
// the loss and the run's metrics on a dataset (by default the run's own test split).
#include <cstdio>
#include <filesystem>

#include <nlohmann/json.hpp>

#include <athanor/athanor.h>
#include <athanor/config/config.h>

#include "commands.h"
#include "evaluation.h"
#include "input_file.h"
#include "model_file.h"

namespace athanor::cli {

namespace fs = std::filesystem;

void add_evaluate_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "evaluate", "Score a trained model: loss and metrics on its test split or on --data");
  static std::string where, data_path, labels_path;
  static bool json = false;
  cmd->add_option("MODEL", where, "A run folder or a model.safetensors file")->required();
  cmd->add_option("--data", data_path,
                  "A labelled data file in the run's format (CSV; an IDX/Fashion-MNIST folder); "
                  "default: the run's test split (else its validation split)");
  cmd->add_option("--labels", labels_path, "The labels of an IDX image file given as --data");
  cmd->add_flag("--json", json, "Print the scores as JSON");
  cmd->callback([] {
    LoadedModel loaded = load_model_file(where);
    const config::RunConfig& cfg = loaded.config;
    std::shared_ptr<const data::Dataset> dataset;
    int64_t num_classes = 0;
    if (loaded.preprocessing.task == "classification") {
      num_classes = static_cast<int64_t>(loaded.preprocessing.class_names.size());
    }
    if (data_path.empty()) {
      // The run's own split: the data are read and split as in training, deterministically.
      const config::PreparedData data = config::load_data(cfg);
      dataset = data.test ? data.test : data.validation;
      if (!dataset) throw UsageError("the run has no test or validation split: give --data FILE");
    } else {
      const InputData input = read_input(cfg, loaded.preprocessing, data_path, labels_path,
                                         /*need_labels=*/true);
      dataset = std::make_shared<data::TensorDataset>(input.inputs, input.labels);
    }
    // Evaluation uses the preprocessing fitted at training time, not one refitted here.
    optim::SGD unused(loaded.model->parameters(), {.lr = 0});
    train::Trainer trainer(loaded.model, unused, config::build_loss(cfg.loss));
    const Scores scores = evaluate(trainer, cfg, dataset, num_classes);
    if (json) {
      nlohmann::json j = nlohmann::json::object();
      for (const auto& [name, value] : scores.logs) j[name] = value;
      j["examples"] = scores.examples;
      if (!scores.confusion.empty()) j["confusion_matrix"] = scores.confusion;
      std::printf("%s\n", j.dump(2).c_str());
    } else {
      std::printf("%ld examples  %s\n", scores.examples, format_scores(scores.logs).c_str());
    }
  });
}

}  // namespace athanor::cli
