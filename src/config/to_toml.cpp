// src/config/to_toml.cpp: to_toml, writing a RunConfig back as a run file with every default
// explicit (what the run folder keeps as "the run file as run").
#include <cmath>
#include <cstdint>
#include <sstream>

#include <fmt/format.h>

#include <athanor/config/run_config.h>

#include "config/toml_reader.h"

namespace athanor::config {

namespace {

std::string quote(const std::string& s) { return detail::quoted(s); }

/// The shortest text that reads back to the same double, always with a '.' or exponent so that
/// TOML reads it as a float.
std::string real(double v) {
  std::string s = fmt::format("{}", v);
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

std::string value_text(const OptionValue& v) {
  if (const auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  if (const auto* i = std::get_if<int64_t>(&v)) return fmt::format("{}", *i);
  if (const auto* d = std::get_if<double>(&v)) return real(*d);
  if (const auto* s = std::get_if<std::string>(&v)) return quote(*s);
  std::string out = "[";
  const auto& list = std::get<std::vector<double>>(v);
  // Whole numbers as integers, so that integer lists (milestones, shapes) read back; number lists
  // accept integers too.
  for (size_t i = 0; i < list.size(); ++i) {
    const bool whole = list[i] == std::trunc(list[i]) && std::abs(list[i]) < 0x1p53;
    out += (i ? ", " : "") +
           (whole ? fmt::format("{}", static_cast<int64_t>(list[i])) : real(list[i]));
  }
  return out + "]";
}

void write_options(std::ostream& os, const Options& options) {
  for (const auto& [key, value] : options.values()) os << key << " = " << value_text(value) << "\n";
}

std::string inline_options(const Options& options) {
  std::string out;
  for (const auto& [key, value] : options.values()) {
    out += ", " + key + " = " + value_text(value);
  }
  return out;
}

std::string layer_text(const LayerConfig& layer) {
  std::string out = "{ type = " + quote(layer.type) + inline_options(layer.options);
  if (layer.type == "residual") {
    out += ", layers = [";
    for (size_t i = 0; i < layer.layers.size(); ++i) {
      out += (i ? ", " : "") + layer_text(layer.layers[i]);
    }
    out += "]";
  }
  return out + " }";
}

std::string path_text(const std::filesystem::path& p) { return quote(p.string()); }

}  // namespace

std::string to_toml(const RunConfig& c) {
  std::ostringstream os;
  os << "# The run file as run: overrides applied, every default explicit, paths absolute.\n\n";
  const DataConfig& d = c.data;
  os << "[data]\n";
  os << "format = " << quote(d.format) << "\n";
  for (const auto& [key, p] :
       {std::pair<const char*, const std::filesystem::path*>{"train", &d.train},
        {"train_labels", &d.train_labels},
        {"validation", &d.validation},
        {"validation_labels", &d.validation_labels},
        {"test", &d.test},
        {"test_labels", &d.test_labels},
        {"dir", &d.dir}}) {
    if (!p->empty()) os << key << " = " << path_text(*p) << "\n";
  }
  if (const auto* i = std::get_if<int64_t>(&d.label_column)) {
    os << "label_column = " << *i << "\n";
  } else {
    os << "label_column = " << quote(std::get<std::string>(d.label_column)) << "\n";
  }
  os << "header = " << (d.header ? "true" : "false") << "\n";
  os << "delimiter = " << quote(d.delimiter) << "\n";
  os << "task = " << quote(d.task) << "\n";
  os << "validation_split = " << real(d.validation_split) << "\n";
  os << "test_split = " << real(d.test_split) << "\n";
  os << "stratify = " << (d.stratify ? "true" : "false") << "\n";
  os << "seed = " << d.seed << "\n";
  os << "normalize = " << quote(d.normalize) << "\n";
  os << "augment = [";
  for (size_t i = 0; i < d.augment.size(); ++i) {
    os << (i ? ", " : "") << "{ type = " << quote(d.augment[i].type)
       << inline_options(d.augment[i].options) << " }";
  }
  os << "]\n";
  if (!d.image_size.empty()) {
    os << "image_size = [" << d.image_size[0] << ", " << d.image_size[1] << "]\n";
  }
  os << "channels = " << d.channels << "\n";

  os << "\n[model]\nlayers = [\n";
  for (const LayerConfig& layer : c.model.layers) os << "  " << layer_text(layer) << ",\n";
  os << "]\n";

  os << "\n[loss]\nname = " << quote(c.loss.name) << "\n";
  write_options(os, c.loss.options);
  os << "l1 = " << real(c.loss.l1) << "\nl2 = " << real(c.loss.l2) << "\n";

  os << "\n[optimizer]\nname = " << quote(c.optimizer.name) << "\n";
  write_options(os, c.optimizer.options);

  const ScheduleConfig& s = c.schedule;
  os << "\n[schedule]\nname = " << quote(s.name) << "\n";
  write_options(os, s.options);
  os << "warmup_steps = " << s.warmup_steps << "\nwarmup_epochs = " << s.warmup_epochs << "\n";
  os << "warmup_start_factor = " << real(s.warmup_start_factor) << "\n";
  os << "every = " << quote(s.every) << "\n";

  const TrainConfig& t = c.train;
  os << "\n[train]\n";
  os << "epochs = " << t.epochs << "\nbatch_size = " << t.batch_size << "\nseed = " << t.seed
     << "\nthreads = " << t.threads << "\nshuffle = " << (t.shuffle ? "true" : "false")
     << "\naccumulate_steps = " << t.accumulate_steps
     << "\nclip_grad_norm = " << real(t.clip_grad_norm)
     << "\nclip_grad_value = " << real(t.clip_grad_value) << "\n";
  os << "metrics = [";
  for (size_t i = 0; i < t.metrics.size(); ++i) {
    const MetricConfig& m = t.metrics[i];
    os << (i ? ", " : "");
    if (m.name == "top_k_accuracy") {
      os << "{ name = \"top_k_accuracy\", k = " << m.k << " }";
    } else if (!m.average.empty()) {
      os << "{ name = " << quote(m.name) << ", average = " << quote(m.average) << " }";
    } else {
      os << quote(m.name);
    }
  }
  os << "]\n";
  if (t.early_stopping) {
    const EarlyStoppingConfig& e = *t.early_stopping;
    os << "early_stopping = { monitor = " << quote(e.monitor) << ", patience = " << e.patience
       << ", min_delta = " << real(e.min_delta)
       << ", restore_best_weights = " << (e.restore_best_weights ? "true" : "false") << " }\n";
  }
  os << "terminate_on_nan = " << (t.terminate_on_nan ? "true" : "false") << "\n";

  const OutputConfig& o = c.output;
  os << "\n[output]\ndir = " << path_text(o.dir) << "\n";
  os << "tensorboard = " << (o.tensorboard ? "true" : "false") << "\n";
  os << "checkpoint = { every_n_epochs = " << o.checkpoint.every_n_epochs
     << ", every_n_steps = " << o.checkpoint.every_n_steps
     << ", keep_last = " << o.checkpoint.keep_last << ", monitor = " << quote(o.checkpoint.monitor)
     << " }\n";
  return os.str();
}

}  // namespace athanor::config
