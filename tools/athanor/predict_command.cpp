// tools/athanor/predict_command.cpp: `athanor predict RUN_DIR|MODEL INPUT -o OUT.csv`: the model's
// predictions for a CSV or IDX input, preprocessed as in training: for classification the class
// name and each class's probability, for regression the predicted values.
#include <cstdio>
#include <filesystem>
#include <string>

#include <fmt/format.h>

#include <athanor/athanor.h>
#include <athanor/config/config.h>
#include <athanor/io/file.h>

#include "commands.h"
#include "input_file.h"
#include "model_file.h"

namespace athanor::cli {

namespace fs = std::filesystem;

namespace {

/// The CSV text of the predictions.
std::string prediction_csv(const LoadedModel& loaded, const Tensor& outputs) {
  const config::Preprocessing& pre = loaded.preprocessing;
  std::string out;
  if (pre.task != "classification") {
    const Tensor values = outputs.reshape({outputs.size(0), -1}).to(kFloat64);
    const int64_t k = values.size(1);
    for (int64_t j = 0; j < k; ++j)
      out +=
          (j ? "," : "") + (k == 1 ? std::string("prediction") : fmt::format("prediction_{}", j));
    out += "\n";
    const std::vector<double> v = values.to_vector<double>();
    for (int64_t i = 0; i < values.size(0); ++i) {
      for (int64_t j = 0; j < k; ++j) out += fmt::format("{}{}", j ? "," : "", v[i * k + j]);
      out += "\n";
    }
    return out;
  }
  // Probabilities: softmax over class scores, sigmoid of a binary logit (bce's outputs already
  // are probabilities).
  Tensor probs;
  const std::string& loss = loaded.config.loss.name;
  if (outputs.dim() == 2 && outputs.size(1) > 1) {
    probs = loss == "nll" ? exp(outputs) : softmax(outputs, 1);
  } else {
    const Tensor p1 = loss == "bce" ? outputs.reshape({-1}) : sigmoid(outputs.reshape({-1}));
    probs = stack({1.0 - p1, p1}, 1);
  }
  probs = probs.to(kFloat64);
  const int64_t c = probs.size(1);
  const std::vector<double> p = probs.to_vector<double>();
  const std::vector<int64_t> predicted = argmax(probs, 1).to_vector<int64_t>();
  auto name = [&](int64_t k) {
    return k < static_cast<int64_t>(pre.class_names.size()) ? pre.class_names[k]
                                                            : std::to_string(k);
  };
  out = "class";
  for (int64_t k = 0; k < c; ++k) out += ",p_" + name(k);
  out += "\n";
  for (int64_t i = 0; i < probs.size(0); ++i) {
    out += name(predicted[i]);
    for (int64_t k = 0; k < c; ++k) out += fmt::format(",{:.6g}", p[i * c + k]);
    out += "\n";
  }
  return out;
}

}  // namespace

void add_predict_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("predict",
                                 "Predict with a trained model: classes and "
                                 "probabilities, or values, as CSV");
  static std::string where, input, labels_path, output;
  cmd->add_option("MODEL", where, "A run folder or a model.safetensors file")->required();
  cmd->add_option("INPUT", input, "A CSV file (with or without the label column) or IDX images")
      ->required();
  cmd->add_option("-o,--output", output, "Where to write the CSV (default: standard output)");
  cmd->callback([] {
    const LoadedModel loaded = load_model_file(where);
    const InputData data = read_input(loaded.config, loaded.preprocessing, input, labels_path,
                                      /*need_labels=*/false);
    Tensor outputs;
    {
      NoGradGuard no_grad;
      std::vector<Tensor> parts;
      for (const Tensor& chunk : split(data.inputs, 1024, 0))
        parts.push_back((*loaded.model)(chunk));
      outputs = parts.size() == 1 ? parts[0] : concat(parts, 0);
    }
    const std::string csv = prediction_csv(loaded, outputs);
    if (output.empty()) {
      std::fputs(csv.c_str(), stdout);
    } else {
      io::write_file_atomic(output, csv);
      std::printf("%ld predictions written to %s\n", outputs.size(0), output.c_str());
    }
  });
}

}  // namespace athanor::cli
