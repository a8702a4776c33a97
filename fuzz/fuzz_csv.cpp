// fuzz/fuzz_csv.cpp: libFuzzer target over csv_from_text and sklearn_csv_from_text. The first
// input byte picks the options (header, delimiter, label column and type, skip_missing, or the
// scikit-learn format); the rest is the CSV text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <athanor/core/error.h>
#include <athanor/data/csv.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t choice = data[0];
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  try {
    if ((choice & 0x80) != 0) {
      (void)athanor::data::sklearn_csv_from_text(text, "<fuzz>");
      return 0;
    }
    athanor::data::CsvOptions options;
    options.header = (choice & 1) != 0;
    options.delimiter = (choice & 2) != 0 ? ';' : ',';
    switch ((choice >> 2) & 3) {
      case 0:
        break;
      case 1:
        options.label_column = -1;
        break;
      case 2:
        options.label_column = 0;
        break;
      default:
        options.label_column = std::string("label");
        break;
    }
    options.label_type = (choice & 16) != 0 ? athanor::data::LabelType::kRegression
                                            : athanor::data::LabelType::kClass;
    options.skip_missing = (choice & 32) != 0;
    if ((choice & 64) != 0) options.classes = {"0", "1", "a"};
    (void)athanor::data::csv_from_text(text, "<fuzz>", options);
  } catch (const athanor::Error&) {
  }
  return 0;
}
