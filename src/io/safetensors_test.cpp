// src/io/safetensors_test.cpp: safetensors round trips, the exact bytes written, and every kind of
// malformed file rejected with its message before any data is read.
#include <cstdint>
#include <cstring>
#include <string>

#include <gtest/gtest.h>

#include <athanor/io/file.h>
#include <athanor/io/safetensors.h>

#include "io/io_test_util.h"
#include "testing/matchers.h"

namespace athanor::io {
namespace {

using testing::TempDir;

// A file from a header text (used as is, no padding) and the data area.
std::string file_with(const std::string& header, const std::string& data = "") {
  std::string out(8, '\0');
  const uint64_t n = header.size();
  std::memcpy(out.data(), &n, 8);
  return out + header + data;
}

std::string length_field(uint64_t n) {
  std::string out(8, '\0');
  std::memcpy(out.data(), &n, 8);
  return out;
}

// The message from_safetensors throws for `bytes` ("<memory>" as the source).
std::string load_error(const std::string& bytes, SafetensorsLimits limits = {}) {
  return athanor::testing::error_message([&] { from_safetensors(bytes, "<memory>", limits); });
}

TEST(Safetensors, RoundTripsEveryDtypeWithMetadata) {
  TempDir dir;
  TensorDict tensors;
  tensors.insert("fc1.weight", Tensor::from({{1.5f, -2.25f, 3.0f}, {4.0f, 5.0f, -6.5f}}));
  tensors.insert("fc1.bias", Tensor::from({0.1, -0.2, 1e300}));
  tensors.insert("labels", Tensor::from({int64_t{-3}, int64_t{1} << 40, int64_t{7}}));
  tensors.insert("pixels", Tensor::from({uint8_t{0}, uint8_t{255}, uint8_t{17}, uint8_t{128}}));
  tensors.insert("mask", Tensor::from({true, false, true}));
  const Metadata metadata{{"format", "pt"}, {"step", "500"}, {"note", "ünïcode ✓"}};
  save_safetensors(dir.path("m.safetensors"), tensors, metadata);
  EXPECT_EQ(dir.list(), std::vector<std::string>{"m.safetensors"});

  const SafetensorsFile file = load_safetensors(dir.path("m.safetensors"));
  EXPECT_EQ(file.metadata, metadata);
  ASSERT_EQ(file.tensors.keys(), tensors.keys());  // the order written
  for (const auto& [name, t] : tensors) EXPECT_TENSOR_EQ(file.tensors.at(name), t) << name;
  // Saving what was loaded gives the same bytes.
  EXPECT_EQ(to_safetensors(file.tensors, file.metadata), read_file(dir.path("m.safetensors")));
}

TEST(Safetensors, WritesTheExactHeaderAndData) {
  TensorDict tensors;
  tensors.insert("a", Tensor::from({1.0f, 2.0f}));
  tensors.insert("b", scalar_tensor(7, kInt64));
  const std::string header =
      R"({"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
      R"("b":{"dtype":"I64","shape":[],"data_offsets":[8,16]}})"
      "      ";  // 138 bytes of JSON + 6 spaces: the data starts at 8 + 144, a multiple of 8
  ASSERT_EQ(header.size(), 144u);
  const std::string data("\x00\x00\x80\x3f\x00\x00\x00\x40\x07\x00\x00\x00\x00\x00\x00\x00", 16);
  EXPECT_EQ(to_safetensors(tensors, {{"format", "pt"}}),
            std::string("\x90\x00\x00\x00\x00\x00\x00\x00", 8) + header + data);
}

TEST(Safetensors, WritesAnEmptyDictAsAPaddedEmptyObject) {
  const std::string bytes = to_safetensors({});
  EXPECT_EQ(bytes, length_field(8) + "{}      ");
  const SafetensorsFile file = from_safetensors(bytes);
  EXPECT_TRUE(file.tensors.empty());
  EXPECT_TRUE(file.metadata.empty());
}

TEST(Safetensors, RoundTripsScalarsAndZeroSizeTensors) {
  TensorDict tensors;
  tensors.insert("empty_first", empty({0}, kFloat32));
  tensors.insert("scalar", scalar_tensor(2.5, kFloat64));
  tensors.insert("empty_mid", empty({2, 0, 3}, kInt64));
  tensors.insert("empty_bool", empty({0, 4}, kBool));
  tensors.insert("last", Tensor::from({int64_t{9}}));
  tensors.insert("empty_last", empty({0}, kUInt8));
  const SafetensorsFile file = from_safetensors(to_safetensors(tensors));
  ASSERT_EQ(file.tensors.keys(), tensors.keys());  // ties at one offset keep the header's order
  for (const auto& [name, t] : tensors) {
    EXPECT_EQ(file.tensors.at(name).shape(), t.shape()) << name;
    EXPECT_EQ(file.tensors.at(name).dtype(), t.dtype()) << name;
  }
  EXPECT_EQ(file.tensors.at("scalar").item<double>(), 2.5);
  EXPECT_EQ(file.tensors.at("last").item<int64_t>(), 9);
}

TEST(Safetensors, WritesNonContiguousTensorsInRowMajorOrder) {
  const Tensor m = Tensor::from({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}});
  TensorDict tensors;
  tensors.insert("transposed", m.t());
  tensors.insert("strided", arange(10, kInt64).slice(0, 1, 10, 3));
  tensors.insert("expanded", Tensor::from({1.0f, 2.0f}).unsqueeze(0).expand({3, 2}));
  ASSERT_FALSE(tensors.at("transposed").is_contiguous());
  ASSERT_FALSE(tensors.at("strided").is_contiguous());
  ASSERT_FALSE(tensors.at("expanded").is_contiguous());
  const SafetensorsFile file = from_safetensors(to_safetensors(tensors));
  EXPECT_TENSOR_EQ(file.tensors.at("transposed"),
                   Tensor::from({{1.0, 4.0}, {2.0, 5.0}, {3.0, 6.0}}));
  EXPECT_TENSOR_EQ(file.tensors.at("strided"), Tensor::from({int64_t{1}, int64_t{4}, int64_t{7}}));
  EXPECT_TENSOR_EQ(file.tensors.at("expanded"),
                   Tensor::from({{1.0f, 2.0f}, {1.0f, 2.0f}, {1.0f, 2.0f}}));
}

TEST(Safetensors, LoadedTensorsOwnAlignedStorage) {
  // The data of "b" starts at an odd offset in the file; the tensor must not point into it.
  TensorDict tensors;
  tensors.insert("a", Tensor::from({uint8_t{1}}));
  tensors.insert("b", Tensor::from({3.0, 4.0}));
  const std::string bytes = to_safetensors(tensors);
  const SafetensorsFile file = from_safetensors(bytes);
  const auto address = reinterpret_cast<uintptr_t>(file.tensors.at("b").raw_data());
  EXPECT_EQ(address % alignof(double), 0u);
  EXPECT_TENSOR_EQ(file.tensors.at("b"), Tensor::from({3.0, 4.0}));
}

TEST(Safetensors, AcceptsWhitespaceAroundTheJson) {
  const std::string bytes =
      file_with(R"(  {"x": {"dtype": "U8", "shape": [2], "data_offsets": [0, 2]}}   )", "\x05\x06");
  EXPECT_TENSOR_EQ(from_safetensors(bytes).tensors.at("x"), Tensor::from({uint8_t{5}, uint8_t{6}}));
}

TEST(Safetensors, RejectsNamesItCannotWrite) {
  EXPECT_THROW_WITH_MESSAGE(to_safetensors({{"__metadata__", Tensor::from({1.0})}}),
                            "to_safetensors: cannot write a tensor named '__metadata__'");
  EXPECT_THROW_WITH_MESSAGE(to_safetensors({{"", Tensor::from({1.0})}}),
                            "to_safetensors: cannot write a tensor named ''");
  EXPECT_THROW_WITH_MESSAGE(to_safetensors({{"u", Tensor()}}),
                            "to_safetensors: tensor 'u' is undefined");
  EXPECT_THROW_WITH_MESSAGE(to_safetensors({{"bad\xff", Tensor::from({1.0})}}),
                            "to_safetensors: cannot write the header");
}

TEST(Safetensors, LoadNamesThePath) {
  TempDir dir;
  const std::string path = dir.path("short.safetensors").string();
  write_file_atomic(path, "abc");
  EXPECT_THROW_WITH_MESSAGE(
      load_safetensors(path),
      fmt::format("load_safetensors: '{}': the file has 3 bytes; expected at least 8", path));
  EXPECT_THROW_WITH_MESSAGE(load_safetensors(dir.path("absent")), "No such file or directory");
}

// ---- Malformed files: one message each, naming the source and the tensor ----

TEST(SafetensorsMalformed, EveryTruncationIsRejected) {
  TensorDict tensors;
  tensors.insert("w", Tensor::from({{1.0f, 2.0f}, {3.0f, 4.0f}}));
  tensors.insert("b", Tensor::from({int64_t{5}}));
  const std::string bytes = to_safetensors(tensors, {{"format", "pt"}});
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_NE(load_error(bytes.substr(0, n)), "<no athanor::Error thrown>") << n;
  }
  EXPECT_EQ(load_error(bytes.substr(0, 0)),
            "from_safetensors: '<memory>': the file has 0 bytes; expected at least 8 (the header "
            "length)");
  EXPECT_EQ(load_error(bytes.substr(0, 7)),
            "from_safetensors: '<memory>': the file has 7 bytes; expected at least 8 (the header "
            "length)");
  const size_t data_start = bytes.size() - 24;
  EXPECT_EQ(load_error(bytes.substr(0, 30)),
            fmt::format("from_safetensors: '<memory>': the header length {} exceeds the 22 bytes "
                        "after the length field (truncated file?)",
                        data_start - 8));
  EXPECT_EQ(load_error(bytes.substr(0, data_start + 20)),
            "from_safetensors: '<memory>': tensor 'b': data_offsets [16, 24] end beyond the data "
            "area of 20 bytes (truncated file?)");
  EXPECT_EQ(load_error(bytes.substr(0, data_start + 10)),
            "from_safetensors: '<memory>': tensor 'w': data_offsets [0, 16] end beyond the data "
            "area of 10 bytes (truncated file?)");
}

TEST(SafetensorsMalformed, HeaderLengthZeroOverTheLimitOrPastTheFile) {
  EXPECT_EQ(load_error(length_field(0) + "{}"),
            "from_safetensors: '<memory>': the header length is 0; expected a JSON object");
  EXPECT_EQ(load_error(file_with("{}      ", "")), "<no athanor::Error thrown>");
  EXPECT_EQ(load_error(file_with("{}      "), {.max_header_bytes = 4}),
            "from_safetensors: '<memory>': the header length 8 exceeds the limit of 4 bytes");
  // The limit is checked before the file size: a huge declared length fails fast either way.
  EXPECT_EQ(load_error(length_field(uint64_t{1} << 40) + "{}"),
            "from_safetensors: '<memory>': the header length 1099511627776 exceeds the limit of "
            "104857600 bytes");
  EXPECT_EQ(load_error(length_field(~uint64_t{0}) + "{}"),
            "from_safetensors: '<memory>': the header length 18446744073709551615 exceeds the "
            "limit of 104857600 bytes");
  EXPECT_EQ(
      load_error(length_field(3) + "{}"),
      "from_safetensors: '<memory>': the header length 3 exceeds the 2 bytes after the length "
      "field (truncated file?)");
}

TEST(SafetensorsMalformed, HeaderNotUtf8JsonOrAnObject) {
  EXPECT_EQ(load_error(file_with("{\"a\xff\": 1}")),
            "from_safetensors: '<memory>': the header is not valid UTF-8 (byte 0xff at header "
            "offset 3)");
  EXPECT_EQ(load_error(file_with("{\"\xed\xa0\x80\": 1}")),  // an encoded surrogate
            "from_safetensors: '<memory>': the header is not valid UTF-8 (byte 0xed at header "
            "offset 2)");
  EXPECT_EQ(load_error(file_with("{\"\xc0\xaf\": 1}")),  // an overlong '/'
            "from_safetensors: '<memory>': the header is not valid UTF-8 (byte 0xc0 at header "
            "offset 2)");
  EXPECT_EQ(load_error(file_with("{\"\xe2\x82")),  // cut inside a character
            "from_safetensors: '<memory>': the header is not valid UTF-8 (byte 0xe2 at header "
            "offset 2)");
  EXPECT_THAT(
      load_error(file_with(R"({"a": )")),
      ::testing::StartsWith("from_safetensors: '<memory>': the header is not valid JSON: "));
  EXPECT_THAT(
      load_error(file_with("{} x")),
      ::testing::StartsWith("from_safetensors: '<memory>': the header is not valid JSON: "));
  EXPECT_EQ(load_error(file_with("[1, 2]")),
            "from_safetensors: '<memory>': the header is a JSON array; expected an object");
  EXPECT_EQ(load_error(file_with(R"("{}")")),
            "from_safetensors: '<memory>': the header is a JSON string; expected an object");
}

TEST(SafetensorsMalformed, DuplicateNames) {
  const std::string e = R"({"dtype": "U8", "shape": [1], "data_offsets": [0, 1]})";
  EXPECT_EQ(load_error(file_with(R"({"x": )" + e + R"(, "x": )" + e + "}", "a")),
            "from_safetensors: '<memory>': the header names 'x' twice; expected unique names");
}

TEST(SafetensorsMalformed, BadEntries) {
  const auto entry_error = [](const std::string& entry, const std::string& data = "") {
    return load_error(file_with(R"({"t": )" + entry + "}", data));
  };
  const std::string prefix = "from_safetensors: '<memory>': tensor 't': ";
  EXPECT_EQ(entry_error("[1]"), prefix +
                                    "the entry is a JSON array; expected an object with "
                                    "dtype, shape and data_offsets");
  EXPECT_EQ(entry_error(R"({"dtype": "F32", "shape": [], "data_offsets": [0, 4], "x": 1})", "abcd"),
            prefix + "unexpected key 'x'; expected only dtype, shape and data_offsets");
  EXPECT_EQ(entry_error(R"({"shape": [], "data_offsets": [0, 4]})", "abcd"),
            prefix + "no \"dtype\"");
  EXPECT_EQ(entry_error(R"({"dtype": "F16", "shape": [2], "data_offsets": [0, 4]})", "abcd"),
            prefix +
                "dtype \"F16\" is not supported; expected one of \"F32\", \"F64\", \"I64\", "
                "\"U8\", \"BOOL\"");
  EXPECT_EQ(entry_error(R"({"dtype": 4, "shape": [1], "data_offsets": [0, 4]})", "abcd"),
            prefix +
                "dtype 4 is not supported; expected one of \"F32\", \"F64\", \"I64\", "
                "\"U8\", \"BOOL\"");
  EXPECT_EQ(entry_error(R"({"dtype": "F32", "data_offsets": [0, 4]})", "abcd"),
            prefix + "no \"shape\"");
  EXPECT_EQ(entry_error(R"({"dtype": "F32", "shape": 1, "data_offsets": [0, 4]})", "abcd"),
            prefix + "shape 1 is not an array; expected an array of non-negative integers");
  EXPECT_EQ(entry_error(R"({"dtype": "F32", "shape": [2, -1], "data_offsets": [0, 4]})", "abcd"),
            prefix + "shape [2,-1] has dimension 1 = -1; expected a non-negative integer");
  EXPECT_EQ(entry_error(R"({"dtype": "F32", "shape": [1.0], "data_offsets": [0, 4]})", "abcd"),
            prefix + "shape [1.0] has dimension 0 = 1.0; expected a non-negative integer");
  EXPECT_EQ(
      entry_error(R"({"dtype": "U8", "shape": [1,1,1,1,1,1,1,1,1], "data_offsets": [0, 1]})", "a"),
      prefix + "shape [1,1,1,1,1,1,1,1,1] has 9 dimensions; at most 8 are supported");
  // The two overflow cases of the reference implementation's tests.
  EXPECT_EQ(entry_error(R"({"dtype": "F32", "shape": [2, 9223372036854775807],
                            "data_offsets": [0, 4]})",
                        "abcd"),
            prefix +
                "shape [2,9223372036854775807] of dtype F32 is too large: its byte count "
                "overflows 64 bits");
  EXPECT_EQ(entry_error(R"({"dtype": "F32", "shape": [2, 18446744073709551614],
                            "data_offsets": [0, 4]})",
                        "abcd"),
            prefix +
                "shape [2,18446744073709551614] has dimension 1 = 18446744073709551614; "
                "expected a non-negative integer");
  // Zero elements, but dimensions whose row-major strides would overflow.
  EXPECT_EQ(entry_error(R"({"dtype": "U8", "shape": [0, 4294967296, 4294967296],
                            "data_offsets": [0, 0]})"),
            prefix +
                "shape [0,4294967296,4294967296] of dtype U8 is too large: its byte count "
                "overflows 64 bits");
  EXPECT_EQ(entry_error(R"({"dtype": "F32", "shape": [1]})", "abcd"),
            prefix + "no \"data_offsets\"");
  EXPECT_EQ(entry_error(R"({"dtype": "F32", "shape": [1], "data_offsets": [0, 4, 8]})", "abcd"),
            prefix + "data_offsets [0,4,8] is not [begin, end] with non-negative integers");
  EXPECT_EQ(entry_error(R"({"dtype": "F32", "shape": [1], "data_offsets": [-4, 0]})", "abcd"),
            prefix + "data_offsets [-4,0] is not [begin, end] with non-negative integers");
  EXPECT_EQ(entry_error(R"({"dtype": "F32", "shape": [0], "data_offsets": [4, 0]})", "abcd"),
            prefix + "data_offsets [4, 0] has begin > end; expected begin <= end");
  EXPECT_EQ(entry_error(R"({"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 4]})", "abcd"),
            prefix +
                "data_offsets [0, 4] hold 4 bytes, but shape [2,3] of dtype F32 needs 24 (6 "
                "elements of 4 bytes)");
  EXPECT_EQ(
      load_error(file_with(R"({"": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]}})", "a")),
      "from_safetensors: '<memory>': a tensor has an empty name; expected a non-empty name");
}

TEST(SafetensorsMalformed, OffsetsOutOfRangeOverlappingOrWithHoles) {
  const auto u8 = [](const std::string& name, int begin, int end) {
    return fmt::format(R"("{}": {{"dtype": "U8", "shape": [{}], "data_offsets": [{}, {}]}})", name,
                       end - begin, begin, end);
  };
  const std::string prefix = "from_safetensors: '<memory>': ";
  EXPECT_EQ(load_error(file_with("{" + u8("a", 0, 4) + "," + u8("b", 4, 9) + "}", "12345678")),
            prefix +
                "tensor 'b': data_offsets [4, 9] end beyond the data area of 8 bytes "
                "(truncated file?)");
  EXPECT_EQ(load_error(file_with("{" + u8("a", 0, 4) + "," + u8("b", 2, 6) + "}", "123456")),
            prefix +
                "tensor 'b' at data_offsets [2, 6] overlaps tensor 'a' at [0, 4]; expected "
                "disjoint offsets");
  // safetensors' "JSON attack": many names on one range.
  EXPECT_EQ(load_error(file_with("{" + u8("a", 0, 4) + "," + u8("b", 0, 4) + "}", "1234")),
            prefix +
                "tensor 'b' at data_offsets [0, 4] overlaps tensor 'a' at [0, 4]; expected "
                "disjoint offsets");
  EXPECT_EQ(load_error(file_with("{" + u8("a", 0, 2) + "," + u8("b", 4, 6) + "}", "123456")),
            prefix +
                "bytes [2, 4) of the data area, before tensor 'b', belong to no tensor; "
                "expected the tensors to cover the data area without holes");
  EXPECT_EQ(load_error(file_with("{" + u8("a", 2, 4) + "}", "1234")),
            prefix +
                "bytes [0, 2) of the data area, before tensor 'a', belong to no tensor; "
                "expected the tensors to cover the data area without holes");
  // Trailing bytes (a polyglot file) and data with no tensor at all.
  EXPECT_EQ(load_error(file_with("{" + u8("a", 0, 2) + "}", "12<html>")),
            prefix +
                "the data area has 8 bytes but the tensors cover only [0, 2); expected no "
                "trailing bytes");
  EXPECT_EQ(load_error(file_with("{}", "x")),
            prefix +
                "the data area has 1 bytes but the tensors cover only [0, 0); expected no "
                "trailing bytes");
  // Listed out of order in the header but tiling the data: fine, returned in data order.
  const SafetensorsFile file =
      from_safetensors(file_with("{" + u8("b", 2, 4) + "," + u8("a", 0, 2) + "}", "1234"));
  EXPECT_EQ(file.tensors.keys(), (std::vector<std::string>{"a", "b"}));
}

TEST(SafetensorsMalformed, MetadataMustMapStringsToStrings) {
  const std::string prefix = "from_safetensors: '<memory>': ";
  EXPECT_EQ(load_error(file_with(R"({"__metadata__": {"format": "pt", "epoch": 3}})")),
            prefix + "\"__metadata__\" key 'epoch' has a number value 3; expected a string");
  EXPECT_EQ(load_error(file_with(R"({"__metadata__": {"nested": {"a": "b"}}})")),
            prefix +
                "\"__metadata__\" key 'nested' has a object value {\"a\":\"b\"}; expected a "
                "string");
  EXPECT_EQ(load_error(file_with(R"({"__metadata__": ["pt"]})")),
            prefix + "\"__metadata__\" is a JSON array; expected an object of strings");
  EXPECT_EQ(from_safetensors(file_with(R"({"__metadata__": {}})")).metadata, Metadata{});
}

TEST(SafetensorsMalformed, BoolBytesOtherThanZeroOrOne) {
  EXPECT_EQ(
      load_error(file_with(R"({"m": {"dtype": "BOOL", "shape": [3], "data_offsets": [0, 3]}})",
                           std::string("\x01\x00\x02", 3))),
      "from_safetensors: '<memory>': tensor 'm': BOOL element 2 has the byte value 2; "
      "expected 0 or 1");
}

TEST(SafetensorsMalformed, ChecksEveryEntryBeforeTheOffsets) {
  // 'a' is out of range and 'b' has an unknown dtype: the entry check comes first.
  EXPECT_EQ(load_error(file_with(R"({"a": {"dtype": "U8", "shape": [9], "data_offsets": [0, 9]},)"
                                 R"( "b": {"dtype": "X", "shape": [1], "data_offsets": [0, 1]}})",
                                 "1")),
            "from_safetensors: '<memory>': tensor 'b': dtype \"X\" is not supported; expected one "
            "of \"F32\", \"F64\", \"I64\", \"U8\", \"BOOL\"");
}

}  // namespace
}  // namespace athanor::io
