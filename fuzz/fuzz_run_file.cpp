// fuzz/fuzz_run_file.cpp: libFuzzer target over parse_run_file, the run-file (TOML) parser and
// validator, on text held in memory.
#include <cstddef>
#include <cstdint>
#include <string>

#include <athanor/config/run_config.h>
#include <athanor/core/error.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const athanor::config::RunConfig config =
        athanor::config::parse_run_file(text, "/nonexistent/fuzz.toml");
    // What was accepted must print and parse back.
    (void)athanor::config::parse_run_file(athanor::config::to_toml(config),
                                          "/nonexistent/fuzz-again.toml");
  } catch (const athanor::Error&) {
  }
  return 0;
}
