// src/config/run_file.cpp: load_run_file: parsing the run file, applying --set overrides,
// validating every section and filling in the defaults that depend on other sections.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include <fmt/format.h>

#include <athanor/config/run_config.h>
#include <athanor/core/error.h>

#include "config/overrides.h"
#include "config/schema.h"
#include "config/toml_reader.h"

namespace athanor::config {

namespace {

using detail::Range;
using detail::TableReader;

const std::vector<std::string> kFormats = {"csv", "sklearn_csv", "idx", "fashion-mnist",
                                           "image_folder"};
const std::vector<std::string> kRegressionLosses = {"mse", "l1", "smooth_l1", "huber"};
const std::vector<std::string> kClassificationMetrics = {
    "accuracy", "top_k_accuracy", "precision", "recall", "f1", "auc"};
const std::vector<std::string> kRegressionMetrics = {"mse", "rmse", "mae", "r2"};
const std::vector<std::string> kAverages = {"binary", "micro", "macro", "weighted"};

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

bool is_image_format(const std::string& format) {
  return format == "idx" || format == "fashion-mnist" || format == "image_folder";
}

// ---- Sections ----

struct Parser {
  detail::Source source;
  toml::table root;
  std::filesystem::path base;  // the run file's directory, absolute
  std::string stem;
  RunConfig config;

  // What the file set explicitly, for defaults that depend on other sections.
  std::optional<std::string> task, normalize, loss_name;
  std::optional<double> validation_split, test_split;
  std::optional<bool> stratify;
  std::optional<int64_t> data_seed;
  std::optional<std::string> checkpoint_monitor;
  bool early_stopping_monitor_set = false;
  bool metrics_set = false;

  TableReader section(TableReader& top, const std::string& name) {
    const toml::table* t = top.table(name);
    return TableReader(source, t, name, t ? static_cast<const toml::node*>(t) : &root);
  }

  void read_data(TableReader& top) {
    TableReader r = section(top, "data");
    DataConfig& d = config.data;
    std::optional<std::string> format = r.choice("format", kFormats);
    if (!format) r.fail("format", "one of " + detail::join_names(kFormats));
    d.format = *format;
    d.train = r.path("train", base).value_or("");
    d.test = r.path("test", base).value_or("");
    d.validation = r.path("validation", base).value_or("");
    d.train_labels = r.path("train_labels", base).value_or("");
    d.test_labels = r.path("test_labels", base).value_or("");
    d.validation_labels = r.path("validation_labels", base).value_or("");
    d.dir = r.path("dir", base).value_or("");
    if (const toml::node* n = r.get("label_column")) {
      if (n->is_integer()) {
        d.label_column = n->as_integer()->get();
      } else if (n->is_string() && !n->as_string()->get().empty()) {
        d.label_column = n->as_string()->get();
      } else {
        r.fail("label_column", "a column name or index");
      }
    }
    d.header = r.boolean("header").value_or(true);
    d.delimiter = r.string("delimiter").value_or(",");
    if (d.delimiter.size() != 1) r.fail("delimiter", "a single character");
    task = r.choice("task", {"classification", "regression"});
    validation_split = r.number("validation_split", Range::kFraction);
    test_split = r.number("test_split", Range::kFraction);
    stratify = r.boolean("stratify");
    if (const toml::node* n = r.get("seed")) {
      if (!n->is_integer() || n->as_integer()->get() < 0) r.fail("seed", "a non-negative integer");
      data_seed = n->as_integer()->get();
    }
    normalize = r.choice("normalize", {"none", "standardize", "minmax", "scale"});
    if (const toml::array* augment = r.array("augment")) {
      for (size_t i = 0; i < augment->size(); ++i) {
        const std::string prefix = fmt::format("data.augment[{}]", i);
        const toml::table* t = augment->get(i)->as_table();
        if (t == nullptr) {
          TableReader(source, r.raw(), "data", r.raw())
              .fail("augment", "a list of tables such as { type = \"flip\" }");
        }
        TableReader a(source, t, prefix, t);
        const std::vector<std::string> names = detail::spec_names(detail::augment_specs());
        std::optional<std::string> type = a.choice("type", names);
        if (!type) a.fail("type", "one of " + detail::join_names(names));
        AugmentConfig aug{
            *type,
            detail::read_options(a, detail::find_spec(detail::augment_specs(), *type)->options)};
        a.finish();
        d.augment.push_back(std::move(aug));
      }
    }
    if (const toml::node* n = r.get("image_size")) {
      const char* expected = "a positive integer or a list [height, width] of them";
      if (n->is_integer() && n->as_integer()->get() > 0) {
        d.image_size = {n->as_integer()->get(), n->as_integer()->get()};
      } else if (const toml::array* a = n->as_array(); a && a->size() == 2) {
        for (const toml::node& item : *a) {
          if (!item.is_integer() || item.as_integer()->get() <= 0) r.fail("image_size", expected);
          d.image_size.push_back(item.as_integer()->get());
        }
      } else {
        r.fail("image_size", expected);
      }
    }
    if (const toml::node* n = r.get("channels")) {
      if (!n->is_integer() || n->as_integer()->get() < 1 || n->as_integer()->get() > 4) {
        r.fail("channels", "1 (grey), 2, 3 (RGB) or 4");
      }
      d.channels = n->as_integer()->get();
    }
    check_data_files(r);
    r.finish();
  }

  void check_data_files(TableReader& r) {
    const DataConfig& d = config.data;
    const bool needs_train = d.format != "fashion-mnist";
    if (needs_train && d.train.empty()) {
      r.fail("train", fmt::format("the path of the training data (format \"{}\")", d.format));
    }
    if (d.format == "idx") {
      if (d.train_labels.empty()) r.fail("train_labels", "the path of the IDX label file");
      if (!d.test.empty() && d.test_labels.empty()) {
        r.fail("test_labels", "the path of the test IDX label file");
      }
      if (!d.validation.empty() && d.validation_labels.empty()) {
        r.fail("validation_labels", "the path of the validation IDX label file");
      }
    }
    for (const char* key : {"train", "test", "validation", "train_labels", "test_labels",
                            "validation_labels", "dir"}) {
      const toml::node* n = r.raw() ? r.raw()->get(key) : nullptr;
      if (n == nullptr) continue;
      std::filesystem::path p = n->as_string()->get();
      if (p.is_relative()) p = base / p;
      p = p.lexically_normal();
      std::error_code error;  // a name too long for the file system, a folder not readable, ...
      const bool found = std::filesystem::exists(p, error);
      if (error) {
        r.fail_message(key, fmt::format("cannot look for {}: {}", p.string(), error.message()));
      }
      if (!found) {
        // The bundled datasets come from Debian packages: name the one to install.
        const char* package =
            d.format == "fashion-mnist" && std::string(key) == "dir" ? "dataset-fashion-mnist"
            : p.string().starts_with("/usr/lib/python3/dist-packages/sklearn/") ? "python3-sklearn"
                                                                                : nullptr;
        r.fail_message(key, fmt::format("no such file or directory: {}{}", p.string(),
                                        package ? fmt::format("; install {} (apt-get install {})",
                                                              package, package)
                                                : ""));
      }
    }
  }

  LayerConfig read_layer(const toml::node& node, const std::string& prefix, bool last_linear) {
    const toml::table* t = node.as_table();
    if (t == nullptr) {
      const std::string parent = prefix.substr(0, prefix.rfind('['));
      TableReader p(source, nullptr, parent, &node);
      throw Error(fmt::format("{}: {}: expected a table such as {{ type = \"relu\" }}, got {}",
                              p.location(""), prefix, detail::describe(&node)));
    }
    TableReader r(source, t, prefix, t);
    const std::vector<std::string> names = detail::spec_names(detail::layer_specs());
    std::optional<std::string> type = r.choice("type", names);
    if (!type) r.fail("type", "one of " + detail::join_names(names));
    LayerConfig layer;
    layer.type = *type;
    std::vector<detail::OptionSpec> specs =
        detail::find_spec(detail::layer_specs(), *type)->options;
    if (last_linear) {
      for (detail::OptionSpec& s : specs) {
        if (s.key == "units") s.default_value = OptionValue(std::string("outputs"));
      }
    }
    layer.options = detail::read_options(r, specs);
    if (*type == "residual") {
      const toml::array* body = r.array("layers");
      if (body == nullptr || body->empty()) r.fail("layers", "a non-empty list of layers");
      for (size_t i = 0; i < body->size(); ++i) {
        layer.layers.push_back(
            read_layer(*body->get(i), fmt::format("{}.layers[{}]", prefix, i), false));
      }
    }
    r.finish();
    return layer;
  }

  void read_model(TableReader& top) {
    TableReader r = section(top, "model");
    const toml::array* layers = r.array("layers");
    if (layers == nullptr || layers->empty()) {
      r.fail("layers", "a non-empty list of layers such as [{ type = \"linear\", units = 10 }]");
    }
    // The last top-level linear layer may leave out its units: it produces the outputs.
    size_t last_linear = layers->size();
    for (size_t i = 0; i < layers->size(); ++i) {
      const toml::table* t = layers->get(i)->as_table();
      if (t && t->get("type") && t->get("type")->value<std::string>() == "linear") last_linear = i;
    }
    for (size_t i = 0; i < layers->size(); ++i) {
      config.model.layers.push_back(
          read_layer(*layers->get(i), fmt::format("model.layers[{}]", i), i == last_linear));
    }
    r.finish();
  }

  void read_loss(TableReader& top) {
    TableReader r = section(top, "loss");
    const std::vector<std::string> names = detail::spec_names(detail::loss_specs());
    loss_name = r.choice("name", names);
    // The task decides the default loss; it may not be known yet, so read options later.
    config.loss.l1 = r.number("l1", Range::kNonNegative).value_or(0.0);
    config.loss.l2 = r.number("l2", Range::kNonNegative).value_or(0.0);
    const std::string name = loss_name.value_or(
        task.value_or("classification") == "regression" ? "mse" : "cross_entropy");
    config.loss.name = name;
    config.loss.options =
        detail::read_options(r, detail::find_spec(detail::loss_specs(), name)->options);
    r.finish();
  }

  void read_optimizer(TableReader& top) {
    TableReader r = section(top, "optimizer");
    const std::vector<std::string> names = detail::spec_names(detail::optimizer_specs());
    config.optimizer.name = r.choice("name", names).value_or("adam");
    config.optimizer.options = detail::read_options(
        r, detail::find_spec(detail::optimizer_specs(), config.optimizer.name)->options);
    if (config.optimizer.name == "sgd" && config.optimizer.options.get_bool("nesterov") &&
        config.optimizer.options.get_double("momentum") <= 0) {
      r.fail_message("nesterov", "needs momentum > 0 (Nesterov momentum with no momentum)");
    }
    r.finish();
  }

  void read_schedule(TableReader& top) {
    TableReader r = section(top, "schedule");
    ScheduleConfig& s = config.schedule;
    const std::vector<std::string> names = detail::spec_names(detail::schedule_specs());
    s.name = r.choice("name", names).value_or("none");
    s.options =
        detail::read_options(r, detail::find_spec(detail::schedule_specs(), s.name)->options);
    s.warmup_steps = r.integer("warmup_steps", Range::kNonNegative).value_or(0);
    s.warmup_epochs = r.integer("warmup_epochs", Range::kNonNegative).value_or(0);
    if (s.warmup_steps > 0 && s.warmup_epochs > 0) {
      r.fail_message("warmup_epochs", "give warmup_steps or warmup_epochs, not both");
    }
    s.warmup_start_factor = r.number("warmup_start_factor", Range::kUnit).value_or(1e-3);
    if (s.warmup_start_factor <= 0) r.fail("warmup_start_factor", "a number in (0, 1]");
    s.every = r.choice("every", {"step", "epoch"}).value_or(s.name == "plateau" ? "epoch" : "step");
    if (s.name == "plateau" && s.every != "epoch") {
      r.fail("every", "\"epoch\" (plateau reduces the lr after each epoch's validation)");
    }
    if (s.every == "epoch" && s.warmup_steps > 0) {
      r.fail_message("warmup_steps",
                     "counts optimizer steps, but the schedule steps every epoch; use "
                     "warmup_epochs");
    }
    if (s.name == "one_cycle" && (s.warmup_steps > 0 || s.warmup_epochs > 0)) {
      r.fail_message(s.warmup_steps > 0 ? "warmup_steps" : "warmup_epochs",
                     "one_cycle warms up by itself (pct_start); remove the warm-up");
    }
    if (s.name == "multistep") {
      const std::vector<double>& m = s.options.get_list("milestones");
      if (!std::is_sorted(m.begin(), m.end())) r.fail("milestones", "increasing milestones");
    }
    r.finish();
  }

  MetricConfig read_metric(TableReader& r, const toml::node& node, size_t i) {
    const std::string key = fmt::format("metrics[{}]", i);
    std::vector<std::string> all = kClassificationMetrics;
    all.insert(all.end(), kRegressionMetrics.begin(), kRegressionMetrics.end());
    const std::string expected =
        "a metric name (" + detail::join_names(all) + ", or e.g. f1_macro, top_3_accuracy)";
    MetricConfig m;
    std::string text;
    const toml::table* t = node.as_table();
    if (const auto* s = node.as_string()) {
      text = s->get();
    } else if (t != nullptr) {
      TableReader mr(source, t, "train." + key, t);
      text = mr.string("name").value_or("");
      m.average = mr.choice("average", kAverages).value_or("");
      m.k = mr.integer("k", Range::kPositive).value_or(5);
      mr.finish();
    } else {
      r.fail("metrics", "a list of metric names or tables");
    }
    // "f1_macro" -> f1 with macro average; "top_3_accuracy" -> top_k_accuracy with k = 3.
    for (const std::string& avg : kAverages) {
      for (const char* metric : {"precision", "recall", "f1"}) {
        if (text == std::string(metric) + "_" + avg) {
          text = metric;
          m.average = avg;
        }
      }
    }
    if (text.starts_with("top_") && text.ends_with("_accuracy") && text != "top_k_accuracy") {
      const std::string digits = text.substr(4, text.size() - 4 - 9);
      if (auto k = detail::as_index(digits); k && *k > 0) {
        m.k = static_cast<int64_t>(*k);
        text = "top_k_accuracy";
      }
    }
    if (!contains(all, text)) {
      const std::string near = detail::closest(text, all);
      throw Error(fmt::format("{}: train.{}: expected {}{}, got {}", r.location("metrics"), key,
                              expected,
                              near.empty() ? "" : fmt::format(" (did you mean \"{}\"?)", near),
                              detail::describe(t ? t->get("name") : &node)));
    }
    if (!m.average.empty() && text != "precision" && text != "recall" && text != "f1") {
      throw Error(fmt::format("{}: train.{}: average applies to precision, recall and f1, not {}",
                              r.location("metrics"), key, text));
    }
    m.name = text;
    return m;
  }

  void read_train(TableReader& top) {
    TableReader r = section(top, "train");
    TrainConfig& t = config.train;
    t.epochs = r.integer("epochs", Range::kPositive).value_or(10);
    t.batch_size = r.integer("batch_size", Range::kPositive).value_or(32);
    t.seed = static_cast<uint64_t>(r.integer("seed", Range::kNonNegative).value_or(0));
    t.threads = r.integer("threads", Range::kNonNegative).value_or(0);
    t.shuffle = r.boolean("shuffle").value_or(true);
    t.accumulate_steps = r.integer("accumulate_steps", Range::kPositive).value_or(1);
    t.clip_grad_norm = r.number("clip_grad_norm", Range::kNonNegative).value_or(0.0);
    t.clip_grad_value = r.number("clip_grad_value", Range::kNonNegative).value_or(0.0);
    if (const toml::array* metrics = r.array("metrics")) {
      metrics_set = true;
      for (size_t i = 0; i < metrics->size(); ++i) {
        t.metrics.push_back(read_metric(r, *metrics->get(i), i));
      }
    }
    if (const toml::table* es = r.table("early_stopping")) {
      TableReader er(source, es, "train.early_stopping", es);
      EarlyStoppingConfig e;
      if (auto m = er.string("monitor")) {
        e.monitor = *m;
        early_stopping_monitor_set = true;
      }
      e.patience = er.integer("patience", Range::kNonNegative).value_or(0);
      e.min_delta = er.number("min_delta", Range::kNonNegative).value_or(0.0);
      e.restore_best_weights = er.boolean("restore_best_weights").value_or(false);
      er.finish();
      t.early_stopping = e;
    }
    t.terminate_on_nan = r.boolean("terminate_on_nan").value_or(true);
    r.finish();
  }

  void read_output(TableReader& top) {
    TableReader r = section(top, "output");
    OutputConfig& o = config.output;
    std::filesystem::path dir = r.path("dir", std::filesystem::current_path())
                                    .value_or(std::filesystem::current_path() / "runs" / stem);
    o.dir = std::filesystem::absolute(dir).lexically_normal();
    o.tensorboard = r.boolean("tensorboard").value_or(true);
    if (const toml::table* c = r.table("checkpoint")) {
      TableReader cr(source, c, "output.checkpoint", c);
      o.checkpoint.every_n_epochs = cr.integer("every_n_epochs", Range::kNonNegative).value_or(1);
      o.checkpoint.every_n_steps = cr.integer("every_n_steps", Range::kNonNegative).value_or(0);
      o.checkpoint.keep_last = cr.integer("keep_last", Range::kNonNegative).value_or(2);
      checkpoint_monitor = cr.string("monitor");
      cr.finish();
    }
    r.finish();
  }

  /// Defaults that depend on other sections, and consistency between sections.
  void resolve(TableReader& top) {
    DataConfig& d = config.data;
    TableReader data(source, top.raw()->get("data") ? top.raw()->get("data")->as_table() : nullptr,
                     "data", &root);
    TableReader loss(source, top.raw()->get("loss") ? top.raw()->get("loss")->as_table() : nullptr,
                     "loss", &root);
    const std::string loss_task =
        contains(kRegressionLosses, config.loss.name) ? "regression" : "classification";
    d.task = task.value_or(loss_name ? loss_task : "classification");
    if (loss_name && loss_task != d.task) {
      loss.fail("name", fmt::format("a {} loss for data.task = \"{}\" ({})", d.task, d.task,
                                    d.task == "regression"
                                        ? detail::join_names(kRegressionLosses)
                                        : "bce, bce_with_logits, cross_entropy, nll, hinge"));
    }
    if ((d.format == "sklearn_csv" || is_image_format(d.format)) && d.task == "regression") {
      // Blame what made the task a regression: the task itself, or else the loss.
      if (task) {
        data.fail_message("task", fmt::format("format \"{}\" holds class labels; expected "
                                              "\"classification\"",
                                              d.format));
      }
      loss.fail_message("name", fmt::format("\"{}\" is a regression loss, but format \"{}\" "
                                            "holds class labels; expected one of bce, "
                                            "bce_with_logits, cross_entropy, nll, hinge",
                                            config.loss.name, d.format));
    }
    const bool has_test_file = !d.test.empty() || d.format == "fashion-mnist";
    d.validation_split = validation_split.value_or(d.validation.empty() ? 0.1 : 0.0);
    if (!d.validation.empty() && d.validation_split > 0) {
      data.fail_message("validation_split", "cannot be combined with data.validation (a file)");
    }
    d.test_split = test_split.value_or(has_test_file ? 0.0 : 0.2);
    if (has_test_file && d.test_split > 0) {
      data.fail_message("test_split", d.format == "fashion-mnist"
                                          ? "fashion-mnist has its own test set; remove test_split"
                                          : "cannot be combined with data.test (a file)");
    }
    if (d.validation_split + d.test_split >= 1) {
      data.fail_message(
          test_split ? "test_split" : "validation_split",
          fmt::format("validation_split + test_split must be below 1 (something "
                      "must be left to train on), got {} + {} = {}",
                      d.validation_split, d.test_split, d.validation_split + d.test_split));
    }
    d.stratify = stratify.value_or(d.task == "classification");
    if (d.stratify && d.task == "regression") {
      data.fail_message("stratify", "needs class labels; expected false for a regression task");
    }
    d.seed = data_seed ? static_cast<uint64_t>(*data_seed) : config.train.seed;
    d.normalize = normalize.value_or(is_image_format(d.format) ? "none" : "standardize");
    if (is_image_format(d.format) && d.normalize == "scale") {
      data.fail("normalize",
                "one of none, standardize, minmax (images are read in [0, 1] already)");
    }
    if (!d.augment.empty() && !is_image_format(d.format)) {
      data.fail_message("augment", fmt::format("applies to images (formats idx, fashion-mnist, "
                                               "image_folder), not format \"{}\"",
                                               d.format));
    }
    if (!d.image_size.empty() && d.format != "image_folder") {
      data.fail_message("image_size", "applies to format \"image_folder\" only");
    }
    if (d.format == "fashion-mnist" && d.dir.empty()) d.dir = "/usr/share/datasets/fashion-mnist";

    // Metrics: defaults per task, and no classification metric on a regression.
    TrainConfig& t = config.train;
    if (!metrics_set) {
      if (d.task == "classification") {
        t.metrics = {{"accuracy", "", 5}};
      } else {
        t.metrics = {{"mae", "", 5}, {"r2", "", 5}};
      }
    }
    TableReader train(source,
                      top.raw()->get("train") ? top.raw()->get("train")->as_table() : nullptr,
                      "train", &root);
    for (const MetricConfig& m : t.metrics) {
      const bool regression_metric = contains(kRegressionMetrics, m.name);
      if (regression_metric != (d.task == "regression")) {
        train.fail_message(
            "metrics",
            fmt::format("\"{}\" is a {} metric, but data.task is \"{}\"; expected "
                        "one of {}",
                        m.name, regression_metric ? "regression" : "classification", d.task,
                        detail::join_names(d.task == "regression" ? kRegressionMetrics
                                                                  : kClassificationMetrics)));
      }
    }
    const bool has_validation = !d.validation.empty() || d.validation_split > 0;
    const std::string default_monitor = has_validation ? "val_loss" : "loss";
    if (t.early_stopping && !early_stopping_monitor_set)
      t.early_stopping->monitor = default_monitor;
    config.output.checkpoint.monitor = checkpoint_monitor.value_or(default_monitor);
    if (config.schedule.name == "plateau" &&
        !(root.get("schedule") && root.get("schedule")->as_table()->get("monitor"))) {
      config.schedule.options.set("monitor", default_monitor);
    }
    if (!has_validation) {
      auto check = [&](const std::string& monitor, TableReader& r, const std::string& key) {
        if (monitor.starts_with("val_")) {
          r.fail_message(key, fmt::format("monitors \"{}\" but there is no validation data; set "
                                          "data.validation_split or data.validation",
                                          monitor));
        }
      };
      if (t.early_stopping) {
        const toml::table* es = root.at_path("train.early_stopping").as_table();
        TableReader er(source, es, "train.early_stopping", es);
        check(t.early_stopping->monitor, er, "monitor");
      }
      const toml::table* c = root.at_path("output.checkpoint").as_table();
      TableReader cr(source, c, "output.checkpoint", c ? static_cast<const toml::node*>(c) : &root);
      check(config.output.checkpoint.monitor, cr, "monitor");
      const toml::table* s = root.at_path("schedule").as_table();
      if (config.schedule.name == "plateau") {
        TableReader sr(source, s, "schedule", s);
        check(config.schedule.options.get_string("monitor"), sr, "monitor");
      }
    }
  }

  RunConfig run() {
    // [tune] is athanor tune's (src/tune reads and validates it); a run ignores it.
    root.erase("tune");
    TableReader top(source, &root, "", &root);
    // Train first: data.seed defaults to train.seed. Data before loss: the task picks the loss.
    read_train(top);
    read_data(top);
    read_model(top);
    read_loss(top);
    read_optimizer(top);
    read_schedule(top);
    read_output(top);
    top.finish();
    resolve(top);
    return std::move(config);
  }
};

}  // namespace

RunConfig parse_run_file(const std::string& text, const std::filesystem::path& path,
                         const std::vector<std::string>& overrides) {
  Parser parser;
  parser.source.file = path.string();
  parser.base = std::filesystem::absolute(path).parent_path();
  parser.stem = path.stem().string();
  parser.root = detail::parse_toml(text, path.string());
  for (const std::string& o : overrides) {
    parser.source.overrides[detail::apply_override(parser.root, o)] = o;
  }
  RunConfig config = parser.run();
  config.source = path;
  return config;
}

RunConfig load_run_file(const std::filesystem::path& path,
                        const std::vector<std::string>& overrides) {
  std::ifstream in(path, std::ios::binary);
  ATHANOR_CHECK(in.good(), "cannot open run file '{}'", path.string());
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parse_run_file(buffer.str(), path, overrides);
}

}  // namespace athanor::config
