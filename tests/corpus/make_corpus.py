#!/usr/bin/env python3
# tests/corpus/make_corpus.py: writes the negative corpora (one damaged file per case) and each
# folder's EXPECTED list (file, TAB, a substring of the error it must be rejected with), read by
# src/io/safetensors_corpus_test.cpp, src/data/idx_corpus_test.cpp,
# src/data/csv_corpus_test.cpp and src/train/checkpoint_corpus_test.cpp. Files found by fuzzing
# are added by hand (named crash-*) with their line in EXPECTED; this script keeps them.
# Run: python3 tests/corpus/make_corpus.py
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def write_cases(folder, cases):
    path = os.path.join(HERE, folder)
    os.makedirs(path, exist_ok=True)
    expected_path = os.path.join(path, "EXPECTED")
    kept = []  # hand-added lines (fuzz findings) survive regeneration
    if os.path.exists(expected_path):
        with open(expected_path) as f:
            kept = [line for line in f if line.startswith("crash-")]
    lines = []
    for name, data, message in cases:
        with open(os.path.join(path, name), "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())
        assert "\t" not in message and "\n" not in message
        lines.append(f"{name}\t{message}\n")
    with open(expected_path, "w") as f:
        f.writelines(lines + kept)


# ---- safetensors (reliability.md 7.1 F2) ----

def st(header, data=b"", raw_header=None, length=None):
    text = raw_header if raw_header is not None else json.dumps(header, separators=(",", ":")).encode()
    n = len(text) if length is None else length
    return struct.pack("<Q", n) + text + data


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


F8 = b"\x00\x00\x80\x3f" * 2  # two float32 ones
one = {"x": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}
safetensors = [
    ("header_too_small.safetensors", b"\x10\x00\x00\x00\x00",
     "the file has 5 bytes; expected at least 8 (the header length)"),
    ("header_length_zero.safetensors", struct.pack("<Q", 0),
     "the header length is 0; expected a JSON object"),
    ("header_length_over_cap.safetensors", st(one, F8, length=200_000_000),
     "the header length 200000000 exceeds the limit of 104857600 bytes"),
    ("header_length_over_file.safetensors", st(one, F8, length=1000),
     "the header length 1000 exceeds the 62 bytes after the length field (truncated file?)"),
    ("header_length_max.safetensors", st(one, F8, length=2**64 - 1),
     "the header length 18446744073709551615 exceeds the limit"),
    ("header_not_utf8.safetensors", st(None, b"", raw_header=b'{"\xff":1}'),
     "the header is not valid UTF-8 (byte 0xff at header offset 2)"),
    ("header_overlong_utf8.safetensors", st(None, b"", raw_header=b'{"\xc0\xaf":1}'),
     "the header is not valid UTF-8 (byte 0xc0 at header offset 2)"),
    ("header_not_json.safetensors", st(None, b"", raw_header=b"{not json}"),
     "the header is not valid JSON"),
    ("header_truncated_json.safetensors", st(None, b"", raw_header=b'{"x":{"dtype":"F32"'),
     "the header is not valid JSON"),
    ("header_not_object.safetensors", st(None, b"", raw_header=b"[1,2,3]"),
     "the header is a JSON array; expected an object"),
    ("unknown_dtype.safetensors",
     st({"x": {"dtype": "F17", "shape": [2], "data_offsets": [0, 8]}}, F8),
     "tensor 'x': dtype \"F17\" is not supported"),
    ("dtype_not_string.safetensors",
     st({"x": {"dtype": 4, "shape": [2], "data_offsets": [0, 8]}}, F8),
     "tensor 'x': dtype 4 is not supported"),
    ("negative_dim.safetensors",
     st({"x": {"dtype": "F32", "shape": [-1, 2], "data_offsets": [0, 8]}}, F8),
     "tensor 'x': shape [-1,2] has dimension 0 = -1; expected a non-negative integer"),
    ("fractional_dim.safetensors",
     st({"x": {"dtype": "F32", "shape": [1.5], "data_offsets": [0, 8]}}, F8),
     "tensor 'x': shape [1.5] has dimension 0 = 1.5; expected a non-negative integer"),
    ("rank_9.safetensors",
     st({"x": {"dtype": "F32", "shape": [1] * 9, "data_offsets": [0, 4]}}, F8[:4]),
     "tensor 'x': shape [1,1,1,1,1,1,1,1,1] has 9 dimensions; at most 8 are supported"),
    ("dims_overflow_a.safetensors",
     st({"x": {"dtype": "F32", "shape": [2, 18446744073709551614], "data_offsets": [0, 8]}}, F8),
     "tensor 'x': shape [2,18446744073709551614] has dimension 1 = 18446744073709551614"),
    ("dims_overflow_b.safetensors",
     st({"x": {"dtype": "F32", "shape": [2, 9223372036854775807], "data_offsets": [0, 8]}}, F8),
     "its byte count overflows 64 bits"),
    ("dims_overflow_zero_size.safetensors",
     st({"x": {"dtype": "F64", "shape": [0, 4294967296, 4294967296], "data_offsets": [0, 0]}}),
     "its byte count overflows 64 bits"),
    ("end_before_begin.safetensors",
     st({"x": {"dtype": "F32", "shape": [2], "data_offsets": [8, 0]}}, F8),
     "tensor 'x': data_offsets [8, 0] has begin > end; expected begin <= end"),
    ("offsets_not_pair.safetensors",
     st({"x": {"dtype": "F32", "shape": [2], "data_offsets": [0]}}, F8),
     "tensor 'x': data_offsets [0] is not [begin, end] with non-negative integers"),
    ("negative_offset.safetensors",
     st({"x": {"dtype": "F32", "shape": [2], "data_offsets": [-8, 0]}}, F8),
     "tensor 'x': data_offsets [-8,0] is not [begin, end] with non-negative integers"),
    ("size_mismatch.safetensors",
     st({"x": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}, F8),
     "tensor 'x': data_offsets [0, 8] hold 8 bytes, but shape [3] of dtype F32 needs 12"),
    ("gap.safetensors",
     st({"x": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},
         "y": {"dtype": "F32", "shape": [1], "data_offsets": [8, 12]}}, F8 + F8[:4]),
     "bytes [4, 8) of the data area, before tensor 'y', belong to no tensor"),
    ("overlap.safetensors",
     st({"x": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
         "y": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}, F8),
     "tensor 'y' at data_offsets [4, 8] overlaps tensor 'x' at [0, 8]"),
    ("json_attack.safetensors",
     st({f"t{i}": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]} for i in range(10)},
        F8 + F8),
     "overlaps tensor 't0' at [0, 16]; expected disjoint offsets"),
    ("duplicate_name.safetensors",
     st(None, F8 + F8, raw_header=b'{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},'
                                  b'"x":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}'),
     "the header names 'x' twice; expected unique names"),
    ("trailing_bytes_polyglot.safetensors", st(one, F8 + b"extra_bogus_data_for_polyglot_file"),
     "the data area has 42 bytes but the tensors cover only [0, 8); expected no trailing bytes"),
    ("truncated_data.safetensors", st(one, F8[:5]),
     "tensor 'x': data_offsets [0, 8] end beyond the data area of 5 bytes (truncated file?)"),
    ("metadata_not_string.safetensors", st({"__metadata__": {"k": 1}, **one}, F8),
     "\"__metadata__\" key 'k' has a number value 1; expected a string"),
    ("metadata_not_object.safetensors", st({"__metadata__": ["a"], **one}, F8),
     "\"__metadata__\" is a JSON array; expected an object of strings"),
    ("entry_unknown_key.safetensors",
     st({"x": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8], "strides": [1]}}, F8),
     "tensor 'x': unexpected key 'strides'"),
    ("entry_not_object.safetensors", st({"x": [1, 2]}, F8),
     "tensor 'x': the entry is a JSON array; expected an object"),
    ("empty_name.safetensors",
     st({"": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}, F8),
     "a tensor has an empty name"),
    ("bool_byte_2.safetensors",
     st({"b": {"dtype": "BOOL", "shape": [2], "data_offsets": [0, 2]}}, b"\x01\x02"),
     "tensor 'b': BOOL element 1 has the byte value 2; expected 0 or 1"),
    ("checksum_mismatch.safetensors",
     st({"__metadata__": {"crc32c:x": "%08x" % crc32c(F8)}, **one}, F8[:7] + b"\x00"),
     "tensor 'x': the CRC32C of its bytes [0, 8)"),
    ("checksum_unknown_tensor.safetensors",
     st({"__metadata__": {"crc32c:x": "%08x" % crc32c(F8), "crc32c:z": "00000000"}, **one}, F8),
     "has the checksum 'crc32c:z' for tensor 'z', which the file does not hold"),
    ("checksum_missing_for_one.safetensors",
     st({"__metadata__": {"crc32c:x": "%08x" % crc32c(F8)}, **one,
         "y": {"dtype": "F32", "shape": [2], "data_offsets": [8, 16]}}, F8 + F8),
     "tensor 'y' has no checksum \"crc32c:y\" though the other tensors have"),
]
write_cases("safetensors", safetensors)

# ---- IDX (reliability.md 7.4 D4, D5); truncation sweeps are generated by the test itself ----

def idx(type_code, dims, data):
    return bytes([0, 0, type_code, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + data

idx_cases = [
    ("empty.idx", b"", "'{}' is truncated: 0 bytes, shorter than the 4-byte IDX magic number"),
    ("bad_magic.idx", b"\x01\x02\x08\x01\x00\x00\x00\x01\x00",
     "is not an IDX file: magic number 01 02 08 01; expected 00 00 <type> <dimension count>"),
    ("gzip_magic_only.idx", b"\x1f\x8b\x08\x00", "is not an IDX file: magic number 1f 8b 08 00"),
    ("bad_type.idx", idx(0x07, [1], b"\x00"), "has an unknown IDX element type 0x07"),
    ("zero_dims.idx", bytes([0, 0, 8, 0]), "declares 0 dimensions; expected 1 to 8"),
    ("nine_dims.idx", idx(0x08, [1] * 9, b"\x00"), "declares 9 dimensions; expected 1 to 8"),
    ("header_cut.idx", idx(0x08, [2, 3], b"")[:9],
     "is truncated: 9 bytes, shorter than its 12-byte header (2 dimensions)"),
    ("data_cut.idx", idx(0x08, [2, 3], b"\x00" * 5),
     "its header declares shape [2, 3] of unsigned byte (6 bytes of data), but only 5 bytes follow"),
    ("trailing.idx", idx(0x08, [2, 3], b"\x00" * 7),
     "is corrupt: its header declares shape [2, 3] of unsigned byte (6 bytes of data), but 7 bytes"),
    ("dims_overflow.idx", idx(0x0E, [0xFFFFFFFF] * 8, b"\x00" * 8),
     "declares shape [4294967295, 4294967295, 4294967295, 4294967295, 4294967295, 4294967295, "
     "4294967295, 4294967295] of double (too many bytes of data)"),
    ("zero_size_huge_strides.idx", idx(0x08, [0, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF], b""),
     "(too many bytes of data), but only 0 bytes follow the header"),
    ("int_data_cut.idx", idx(0x0C, [3], b"\x00" * 11),
     "declares shape [3] of int (12 bytes of data), but only 11 bytes follow"),
]
write_cases("idx", idx_cases)

# ---- CSV (reliability.md 7.4 D1-D3) ----
header = "a,b,label\n"
csv_cases = [
    ("empty.csv", "", "'{}' is empty; expected a header line and rows of numbers"),
    ("blank_lines_only.csv", "\n \n\t\n", "'{}' is empty"),
    ("header_only.csv", header, "'{}' has a header but no data rows; expected rows of numbers after line 1"),
    ("too_few_fields_line2.csv", header + "1,2\n3,4,0\n", "{}:2: expected 3 columns (as in the header), got 2"),
    ("too_many_fields_last.csv", header + "1,2,0\n3,4,1\n5,6,7,1\n",
     "{}:4: expected 3 columns (as in the header), got 4"),
    ("crlf_bad_row.csv", header.replace("\n", "\r\n") + "1,2,0\r\n3,x,1\r\n",
     "{}:3: column 2 'b': expected a number, got 'x'"),
    ("bom_header.csv", "\ufeffa,b,label\n1,2,0\n1,abc,0\n",
     "{}:3: column 2 'b': expected a number, got 'abc'"),
    ("no_final_newline.csv", header + "1,2,0\n3,4", "{}:3: expected 3 columns (as in the header), got 2"),
    ("quoted_newline.csv", header + "\"1\n2\",3,0\n",
     "{}:2: column 1: unterminated quoted field; expected a closing '\"' on the same line"),
    ("garbage_after_quote.csv", header + "\"1\"x,2,0\n",
     "{}:2: column 1: unexpected 'x' after a closing quote; expected the delimiter ','"),
    ("unparseable_cell.csv", header + "1,2,0\nabc,2,0\n", "{}:3: column 1 'a': expected a number, got 'abc'"),
    ("overflow_cell.csv", header + "1e999,2,0\n", "{}:2: column 1 'a': expected a number, got '1e999'"),
    ("empty_cell.csv", header + "1,,0\n", "{}:2: column 2 'b': missing value ''; expected a number"),
    ("nan_cell.csv", header + "NaN,1,0\n", "{}:2: column 1 'a': missing value 'NaN'"),
    ("binary_garbage.csv", b"a,b,label\n\x00\xff\xfe,1,0\n", "{}:2: column 1 'a': expected a number"),
]
write_cases("csv", csv_cases)

# ---- checkpoint state files (reliability.md 7.2 C3, C4) ----
STATE = {"version": 1, "weights": "step-000005.safetensors", "weights_crc32c": 123, "epoch": 1,
         "batch": 0, "steps_per_epoch": 5, "global_step": 5, "loss_sum": 0.0, "loss_count": 0,
         "optimizer": {"name": "Adam", "scalars": {"step": 5.0}}, "rng": {"default": [0, 12]},
         "history": [{"epoch": 0, "logs": [["loss", 0.5]]}]}
M = F8


def state(changes=None, text=None, crc=True, tensors=None, tensor_crc=True, crc_of=None):
    meta = dict(STATE)
    meta.update(changes or {})
    text = json.dumps(meta, separators=(",", ":")) if text is None else text
    md = {"athanor.checkpoint": text}
    if crc:
        md["athanor.checkpoint.crc32c"] = "%08x" % crc32c((crc_of or text).encode())
    tensors = tensors or [("optimizer.exp_avg", M)]
    header, data = {}, b""
    for name, raw in tensors:
        header[name] = {"dtype": "F32", "shape": [len(raw) // 4],
                        "data_offsets": [len(data), len(data) + len(raw)]}
        if tensor_crc:
            md["crc32c:" + name] = "%08x" % crc32c(raw)
        data += raw
    return st({"__metadata__": md, **header}, data)


def corrupt_data(blob):
    return blob[:-1] + bytes([blob[-1] ^ 0x10])


checkpoint_cases = [
    ("no_metadata.state.safetensors", st(one, F8),
     "checkpoint: '{}' has no 'athanor.checkpoint' metadata (not a training checkpoint)"),
    ("json_crc_mismatch.state.safetensors",
     state(text=json.dumps(STATE).replace('"epoch": 1', '"epoch": 7'), crc_of=json.dumps(STATE)),
     "checkpoint: '{}': the CRC32C of the 'athanor.checkpoint' metadata is"),
    ("json_invalid.state.safetensors", state(text='{"version":1,'),
     "checkpoint: '{}': the 'athanor.checkpoint' metadata is not valid JSON"),
    ("version_2.state.safetensors", state({"version": 2}),
     "checkpoint: '{}' has format version 2; this build reads version 1"),
    ("negative_epoch.state.safetensors", state({"epoch": -1}),
     "checkpoint: '{}': field 'epoch': expected a non-negative integer, got -1"),
    ("huge_step.state.safetensors", state({"global_step": 18446744073709551615}),
     "field 'global_step': expected a non-negative integer, got 18446744073709551615"),
    ("fractional_batch.state.safetensors", state({"batch": 0.5}),
     "field 'batch': expected a non-negative integer, got 0.5"),
    ("weights_traversal.state.safetensors", state({"weights": "../../etc/passwd"}),
     "field 'weights': expected a checkpoint name (a file stem without '/'), got \"../../etc/passwd\""),
    ("crc_too_wide.state.safetensors", state({"weights_crc32c": 4294967296}),
     "field 'weights_crc32c': expected a 32-bit CRC, got 4294967296"),
    ("loss_not_number.state.safetensors", state({"loss_sum": "lots"}),
     "field 'loss_sum': expected a number (or \"nan\", \"inf\", \"-inf\"), got \"lots\""),
    ("rng_short.state.safetensors", state({"rng": {"default": [1]}}),
     "field 'rng.default': expected [seed, offset], got [1]"),
    ("rng_negative.state.safetensors", state({"rng": {"default": [1, -2]}}),
     "field 'rng.default[1]': expected an unsigned integer, got -2"),
    ("history_bad_pair.state.safetensors", state({"history": [{"epoch": 0, "logs": [["loss"]]}]}),
     "field 'history[0].logs[0]': expected [key, value], got [\"loss\"]"),
    ("optimizer_missing.state.safetensors",
     state(text=json.dumps({k: v for k, v in STATE.items() if k != "optimizer"})),
     "checkpoint: '{}': the metadata has no field 'optimizer'"),
    ("scalars_not_object.state.safetensors",
     state({"optimizer": {"name": "Adam", "scalars": [1]}}),
     "field 'optimizer.scalars': expected an object of numbers, got [1]"),
    ("unexpected_tensor.state.safetensors", state(tensors=[("w", M)]),
     "checkpoint: '{}': unexpected tensor 'w'; expected only optimizer.* tensors"),
    ("tensor_flipped.state.safetensors", corrupt_data(state()),
     "tensor 'optimizer.exp_avg': the CRC32C of its bytes [0, 8)"),
    ("tensor_truncated.state.safetensors", state()[:-3],
     "tensor 'optimizer.exp_avg': data_offsets [0, 8] end beyond the data area of 5 bytes"),
]
write_cases("checkpoint", checkpoint_cases)
