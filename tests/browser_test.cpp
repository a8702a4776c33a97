// tests/browser_test.cpp: the run report opened in headless Chromium (Debian's `chromium`): the
// page loads with no console message and no script error (its script's load marker is set), and
// the DOM holds the training curves and the confusion matrix. A broken page is caught the same
// way, so the checks can fail.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <athanor/train/report.h>

#include "run_command.h"

namespace athanor::train {
namespace {

namespace fs = std::filesystem;

size_t count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct PageLoad {
  std::string dom;                   // the DOM after load (--dump-dom)
  std::vector<std::string> console;  // console messages and uncaught errors from the log
  int status = -1;
  double seconds = 0;
};

class Browser : public ::testing::Test {
 protected:
  void SetUp() override {
    if (athanor::testing::run_command("command -v chromium >/dev/null 2>&1").status != 0) {
      FAIL() << "chromium not installed: run scripts/install-deps.sh";
    }
    std::string pattern = (fs::temp_directory_path() / "athanor_browser_XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr) << "mkdtemp failed for " << pattern;
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }

  // Opens `page` in headless Chromium with its own profile; the log goes to a file so that
  // console messages ("INFO:CONSOLE...] \"Uncaught ReferenceError: ...\"") can be read back.
  PageLoad open(const fs::path& page) {
    const fs::path dom = dir_ / "dom.html";
    const fs::path log = dir_ / "chromium.log";
    const std::string command =
        "cd '" + dir_.string() + "' && HOME='" + dir_.string() +
        "' timeout 60 chromium --headless --no-sandbox --disable-gpu --no-first-run "
        "--disable-extensions --user-data-dir='" +
        (dir_ / "profile").string() + "' --enable-logging=stderr --v=0 --dump-dom 'file://" +
        page.string() + "' > '" + dom.string() + "' 2> '" + log.string() + "'";
    const auto start = std::chrono::steady_clock::now();
    PageLoad load;
    load.status = athanor::testing::run_command(command).status;
    load.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    load.dom = read_text(dom);
    std::istringstream lines(read_text(log));
    for (std::string line; std::getline(lines, line);) {
      if (line.find(":CONSOLE") != std::string::npos ||
          line.find("Uncaught") != std::string::npos) {
        load.console.push_back(line);
      }
    }
    return load;
  }

  fs::path dir_;
};

ReportData sample_report() {
  ReportData data;
  data.title = "browser <test> & run";
  const std::vector<double> loss = {1.2, 0.8, 0.6, 0.5};
  for (size_t e = 0; e < loss.size(); ++e) {
    data.history.epochs.push_back(static_cast<int64_t>(e));
    data.history.logs.push_back(Logs{{"loss", loss[e]},
                                     {"accuracy", 0.6 + 0.05 * static_cast<double>(e)},
                                     {"val_loss", loss[e] + 0.1},
                                     {"val_accuracy", 0.55 + 0.05 * static_cast<double>(e)},
                                     {"lr", 0.1 / static_cast<double>(1 + 10 * e)},
                                     {"seconds", 1.5}});
  }
  data.facts = {{"started", "2026-11-23 13:00 UTC"}, {"command", "athanor train run.toml"}};
  data.confusion = {{50, 3, 2}, {4, 41, 5}, {0, 7, 30}};
  data.class_names = {"cat", "dog", "bird"};
  data.confusion_caption = "test set, 142 images";
  data.final_scores = {{"test accuracy", 0.8538}};
  return data;
}

TEST_F(Browser, ReportLoadsWithoutErrorsAndShowsCurvesAndMatrix) {
  const fs::path page = dir_ / "report.html";
  write_report(page, sample_report());
  const PageLoad load = open(page);
  RecordProperty("chromium_seconds", std::to_string(load.seconds));
  std::cout << "chromium loaded the report in " << load.seconds << " s\n";
  ASSERT_EQ(load.status, 0) << read_text(dir_ / "chromium.log");
  EXPECT_THAT(load.dom, ::testing::HasSubstr("data-report-loaded=\"1\""));
  EXPECT_EQ(load.console, std::vector<std::string>{});
  // Three charts (loss, accuracy, learning rate), each with a train and/or validation line.
  EXPECT_EQ(count(load.dom, "<svg class=\"chart-svg\""), 3u);
  EXPECT_EQ(count(load.dom, "<polyline class=\"line\""), 5u);
  // The matrix: its heat map with the counts, and the per-class table.
  EXPECT_THAT(load.dom, ::testing::HasSubstr("<svg class=\"matrix-svg\""));
  EXPECT_EQ(count(load.dom, "<text class=\"count"), 9u);
  EXPECT_THAT(load.dom, ::testing::HasSubstr(">41</text>"));
  EXPECT_THAT(load.dom, ::testing::HasSubstr("<section id=\"per-class\">"));
  EXPECT_THAT(load.dom, ::testing::HasSubstr("browser &lt;test&gt; &amp; run"));
}

TEST_F(Browser, CatchesAScriptErrorOnAPage) {
  const fs::path page = dir_ / "broken.html";
  std::ofstream(page) << "<!DOCTYPE html><html><body><p>x</p><script>no_such_function(); "
                         "document.documentElement.setAttribute('data-report-loaded', '1');"
                         "</script></body></html>";
  const PageLoad load = open(page);
  ASSERT_EQ(load.status, 0) << read_text(dir_ / "chromium.log");
  EXPECT_THAT(load.dom, ::testing::Not(::testing::HasSubstr("data-report-loaded=\"1\"")));
  ASSERT_EQ(load.console.size(), 1u);
  EXPECT_THAT(load.console[0], ::testing::HasSubstr("Uncaught ReferenceError"));
}

}  // namespace
}  // namespace athanor::train
