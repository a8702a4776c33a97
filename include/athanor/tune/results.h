// include/athanor/tune/results.h: a search's records: trials.csv (written and read back for
// --resume) and tune.html (a sortable table and the score against each searched key).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <athanor/tune/search_space.h>
#include <athanor/tune/strategy.h>

namespace athanor::tune {

/// trials.csv: header "id,config,rung,budget,<key>...,mean,std,seconds,values", one row per
/// trial; values are the per-fold scores joined by ';'; numbers are written so they read back
/// exactly; a field holding a comma or quote is quoted as RFC 4180.
std::string trials_csv(const SearchSpace& space, const std::vector<Trial>& trials);

/// Parses trials_csv's text. Throws naming the line when a row does not fit `space` (its header
/// must list the same keys: a changed search cannot resume).
std::vector<Trial> parse_trials_csv(const std::string& text, const SearchSpace& space,
                                    const std::string& file_name);

struct TuneReport {
  std::string title;
  std::string metric;
  Mode mode = Mode::kMax;
  /// (name, value) lines shown above the table (strategy, folds, duration, ...).
  std::vector<std::pair<std::string, std::string>> facts;
  SearchSpace space;
  std::vector<Trial> trials;
  int64_t best_id = -1;
};

/// tune.html: self-contained (inline CSS, SVG and a few lines of script, no network): the facts,
/// the trials as a table sortable by clicking a column header, and per searched key a scatter
/// plot of the score (mean, with a ±std bar) against the key's value (log axis for a log range,
/// one column per value for non-numeric values), points coloured by rung.
std::string tune_html(const TuneReport& report);

}  // namespace athanor::tune
