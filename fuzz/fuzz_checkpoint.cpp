// fuzz/fuzz_checkpoint.cpp: libFuzzer target over the checkpoint metadata readers: the
// "athanor.checkpoint" JSON of a state file (parse_checkpoint_metadata), the checkpoints.json
// index (parse_checkpoint_index) and a whole state file (read_checkpoint_state: safetensors,
// checksums, then the metadata). The first byte picks which.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <athanor/core/error.h>
#include <athanor/train/checkpoint.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  try {
    switch (data[0] % 3) {
      case 0:
        (void)athanor::train::parse_checkpoint_metadata(bytes, "<fuzz>");
        break;
      case 1:
        (void)athanor::train::parse_checkpoint_index(bytes, "<fuzz>");
        break;
      default:
        (void)athanor::train::read_checkpoint_state(bytes, "<fuzz>");
        break;
    }
  } catch (const athanor::Error&) {
  }
  return 0;
}
