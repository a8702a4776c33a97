// src/tune/trials_csv.cpp: trials.csv, written after every trial and read back by --resume.
#include <charconv>
#include <sstream>

#include <fmt/format.h>

#include <athanor/core/error.h>
#include <athanor/tune/results.h>

namespace athanor::tune {

namespace {

/// RFC 4180: quote a field holding a comma, quote or line break, doubling its quotes.
std::string field(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::vector<std::string> split_row(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

std::vector<std::string> header(const SearchSpace& space) {
  std::vector<std::string> names = {"id", "config", "rung", "budget"};
  for (const Param& p : space.params()) names.push_back(p.key);
  for (const char* n : {"mean", "std", "seconds", "values"}) names.emplace_back(n);
  return names;
}

/// Exact round trip: fmt's shortest representation reads back to the same double.
std::string number(double v) { return fmt::format("{}", v); }

}  // namespace

std::string trials_csv(const SearchSpace& space, const std::vector<Trial>& trials) {
  std::string out;
  const std::vector<std::string> names = header(space);
  for (size_t i = 0; i < names.size(); ++i) out += (i ? "," : "") + field(names[i]);
  out += "\n";
  for (const Trial& t : trials) {
    out += fmt::format("{},{},{},{}", t.spec.id, t.spec.config_index, t.spec.rung, t.spec.budget);
    for (const auto& [key, value] : t.spec.config.values) out += "," + field(value);
    std::string values;
    for (double v : t.score.values) values += (values.empty() ? "" : ";") + number(v);
    out += fmt::format(",{},{},{},{}\n", number(t.score.mean), number(t.score.std),
                       fmt::format("{:.3f}", t.seconds), values);
  }
  return out;
}

std::vector<Trial> parse_trials_csv(const std::string& text, const SearchSpace& space,
                                    const std::string& file_name) {
  std::istringstream in(text);
  std::string line;
  const std::vector<std::string> names = header(space);
  std::string expected;
  for (size_t i = 0; i < names.size(); ++i) expected += (i ? "," : "") + field(names[i]);
  ATHANOR_CHECK(std::getline(in, line) && line == expected,
                "{}:1: the header lists other columns than this search's; expected \"{}\", got "
                "\"{}\" (the search space changed: start a new search in another folder)",
                file_name, expected, line);
  std::vector<Trial> trials;
  int line_number = 1;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.empty()) continue;
    const std::vector<std::string> f = split_row(line);
    ATHANOR_CHECK(f.size() == names.size(), "{}:{}: expected {} fields, got {}", file_name,
                  line_number, names.size(), f.size());
    auto integer = [&](size_t i) {
      int64_t v = 0;
      auto [end, ec] = std::from_chars(f[i].data(), f[i].data() + f[i].size(), v);
      ATHANOR_CHECK(ec == std::errc() && end == f[i].data() + f[i].size(),
                    "{}:{}: {}: expected an integer, got \"{}\"", file_name, line_number, names[i],
                    f[i]);
      return v;
    };
    auto real = [&](const std::string& s, const std::string& name) {
      double v = 0;
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      ATHANOR_CHECK(ec == std::errc() && end == s.data() + s.size(),
                    "{}:{}: {}: expected a number, got \"{}\"", file_name, line_number, name, s);
      return v;
    };
    Trial t;
    t.spec.id = integer(0);
    t.spec.config_index = integer(1);
    t.spec.rung = integer(2);
    t.spec.budget = integer(3);
    const size_t k = space.params().size();
    for (size_t i = 0; i < k; ++i) t.spec.config.values.emplace_back(names[4 + i], f[4 + i]);
    t.score.mean = real(f[4 + k], "mean");
    t.score.std = real(f[5 + k], "std");
    t.seconds = real(f[6 + k], "seconds");
    std::string values = f[7 + k];
    size_t start = 0;
    while (start <= values.size() && !values.empty()) {
      const size_t end = std::min(values.find(';', start), values.size());
      t.score.values.push_back(real(values.substr(start, end - start), "values"));
      start = end + 1;
    }
    trials.push_back(std::move(t));
  }
  return trials;
}

}  // namespace athanor::tune
