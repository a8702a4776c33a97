// fuzz/fuzz_idx.cpp: libFuzzer target over idx_from_bytes, the IDX (MNIST format) reader, on
// uncompressed bytes held in memory.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <athanor/core/error.h>
#include <athanor/data/idx.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    (void)athanor::data::idx_from_bytes(std::string_view(reinterpret_cast<const char*>(data), size),
                                        "<fuzz>");
  } catch (const athanor::Error&) {
  }
  return 0;
}
