// fuzz/fuzz_safetensors.cpp: libFuzzer target over from_safetensors, the safetensors reader
// (header length, UTF-8, JSON, entries, offsets, per-tensor CRC32C), on bytes held in memory.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <athanor/core/error.h>
#include <athanor/io/safetensors.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    // A small header cap keeps the fuzzer from spending its time on giant JSON texts.
    const athanor::io::SafetensorsFile file =
        athanor::io::from_safetensors(bytes, "<fuzz>", {.max_header_bytes = 1 << 20});
    // What was accepted must write back and read back.
    const std::string again = athanor::io::to_safetensors(file.tensors, file.metadata);
    (void)athanor::io::from_safetensors(again, "<fuzz rewrite>");
  } catch (const athanor::Error&) {
    // Rejected with a message: the expected outcome for most inputs. Anything else (another
    // exception type, a crash, a sanitizer report) is a finding.
  }
  return 0;
}
