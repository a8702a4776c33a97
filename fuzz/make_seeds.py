#!/usr/bin/env python3
# fuzz/make_seeds.py: writes the seed corpora under fuzz/corpus/<target>/: valid files in the
# layouts athanor writes (safetensors with checksums, checkpoint state files and their JSON, IDX,
# CSV, the example run files) plus hand-made edge cases and the negative corpora of
# tests/corpus/. Run: python3 fuzz/make_seeds.py
import glob
import json
import os
import shutil
import struct

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "fuzz", "corpus")


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def safetensors(tensors, metadata=None, checksums=True, pad=True):
    """tensors: [(name, dtype, shape, bytes)] in data order."""
    header, data, meta = {}, b"", dict(metadata or {})
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
        if checksums:
            meta["crc32c:" + name] = "%08x" % crc32c(raw)
    if meta:
        header = {"__metadata__": meta, **header}
    text = json.dumps(header, separators=(",", ":")).encode()
    if pad:
        text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + data


def write(target, name, data):
    os.makedirs(os.path.join(OUT, target), exist_ok=True)
    with open(os.path.join(OUT, target, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


f32 = lambda *v: struct.pack("<%df" % len(v), *v)
f64 = lambda *v: struct.pack("<%dd" % len(v), *v)
i64 = lambda *v: struct.pack("<%dq" % len(v), *v)

# ---- safetensors ----
model = [("0.weight", "F32", [2, 3], f32(*range(6))), ("0.bias", "F32", [2], f32(0.5, -1))]
write("safetensors", "model.safetensors", safetensors(model, {"format": "pt"}))
write("safetensors", "model_no_checksums.safetensors", safetensors(model, {"format": "pt"}, False))
write("safetensors", "dtypes.safetensors", safetensors([
    ("a", "F64", [2], f64(1, 2)), ("b", "I64", [1], i64(-3)), ("c", "U8", [3], b"\x01\x02\x03"),
    ("d", "BOOL", [2], b"\x00\x01")]))
write("safetensors", "scalar_and_empty.safetensors", safetensors([
    ("s", "F32", [], f32(3.0)), ("e", "F32", [0, 4], b""), ("z", "I64", [2, 0], b"")]))
write("safetensors", "f16_bf16.safetensors", safetensors([
    ("h", "F16", [2], b"\x00\x3c\x00\x40"), ("bf", "BF16", [1], b"\x80\x3f")], checksums=False))
write("safetensors", "leading_space.safetensors",
      struct.pack("<Q", 56) + b'   {"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}' + f32(1))
write("safetensors", "rank8.safetensors", safetensors([("r", "U8", [1] * 8, b"\x07")]))
state_meta = {"version": 1, "weights": "step-000005.safetensors", "weights_crc32c": 123,
              "epoch": 1, "batch": 0, "steps_per_epoch": 5, "global_step": 5,
              "loss_sum": "nan", "loss_count": 0,
              "optimizer": {"name": "Adam", "scalars": {"step": 5.0}},
              "scheduler": {"name": "ExponentialLR", "scalars": {"last_epoch": 5}},
              "rng": {"default": [0, 12], "modules": {"1": [5, 3]}},
              "history": [{"epoch": 0, "logs": [["loss", 0.5], ["lr", "inf"]]}],
              "callbacks": {"ModelCheckpoint#0": {"best": 0.25}}}
state_text = json.dumps(state_meta, separators=(",", ":"))
state_file = safetensors([("optimizer.exp_avg.0", "F32", [2], f32(0.1, 0.2))],
                         {"athanor.checkpoint": state_text,
                          "athanor.checkpoint.crc32c": "%08x" % crc32c(state_text.encode())})
write("safetensors", "checkpoint_state.safetensors", state_file)
for path in glob.glob(os.path.join(ROOT, "tests", "corpus", "safetensors", "*.safetensors")):
    shutil.copy(path, os.path.join(OUT, "safetensors", "neg_" + os.path.basename(path)))

# ---- checkpoint (first byte: 0 metadata JSON, 1 index JSON, 2 state file) ----
write("checkpoint", "metadata.json", b"\x00" + state_text.encode())
write("checkpoint", "metadata_minimal.json", b"\x00" + json.dumps(
    {k: v for k, v in state_meta.items() if k not in ("scheduler", "callbacks")}).encode())
write("checkpoint", "index.json", b"\x01" + json.dumps(
    {"latest": "step-000010", "checkpoints": ["step-000005", "step-000010"],
     "best": {"file": "best.safetensors", "monitor": "val_loss", "epoch": 1, "value": 0.3}},
    indent=2).encode())
write("checkpoint", "index_traversal.json", b"\x01" + b'{"latest":"..","checkpoints":[".."]}')
write("checkpoint", "state.safetensors", b"\x02" + state_file)
write("checkpoint", "state_no_crc.safetensors", b"\x02" + safetensors(
    [("optimizer.m", "F64", [1], f64(1))], {"athanor.checkpoint": state_text}, checksums=False))

# ---- IDX ----
def idx(type_code, dims, data):
    return bytes([0, 0, type_code, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + data

write("idx", "images.idx", idx(0x08, [2, 4, 4], bytes(range(32))))
write("idx", "labels.idx", idx(0x08, [3], b"\x01\x02\x09"))
write("idx", "int16.idx", idx(0x0B, [2], b"\xff\xfe\x01\x00"))
write("idx", "int32.idx", idx(0x0C, [1, 1], b"\x80\x00\x00\x01"))
write("idx", "float.idx", idx(0x0D, [2], b"\x3f\xc0\x00\x00\x00\x00\x00\x00"))
write("idx", "double.idx", idx(0x0E, [1], b"\xbf\xd0" + b"\x00" * 6))
write("idx", "int8.idx", idx(0x09, [2], b"\xff\x05"))
write("idx", "zero_size.idx", idx(0x08, [0, 28, 28], b""))
for path in glob.glob(os.path.join(ROOT, "tests", "corpus", "idx", "*.idx")):
    shutil.copy(path, os.path.join(OUT, "idx", "neg_" + os.path.basename(path)))

# ---- CSV (first byte: the options, see fuzz_csv.cpp) ----
write("csv", "header_label_last.csv", b"\x05" + b"a,b,label\n1,2,0\n3.5,-4e2,1\n")
write("csv", "no_header_regression.csv", b"\x14" + b"1,2,0.5\n3,4,1.5\n")
write("csv", "quoted.csv", b"\x0d" + b'"a","b",label\n"1",2,"x"\n" 3 ",4,y\n')
write("csv", "semicolon_missing.csv", b"\x27" + b"a;b;label\n1;NA;0\n2;3;1\n")
write("csv", "named_label.csv", b"\x0d" + b"label,x\nsetosa,1\nvirginica,2\r\n")
write("csv", "classes_given.csv", b"\x45" + b"x,label\n1,a\n2,0\n")
write("csv", "sklearn.csv", b"\x80" + b"2,2,a,b\n0.5,1.5,1\n2.5,3.5,0\n")
for path in glob.glob(os.path.join(ROOT, "tests", "corpus", "csv", "*.csv")):
    with open(path, "rb") as f:
        write("csv", "neg_" + os.path.basename(path), b"\x01" + f.read())

# ---- run files ----
for path in glob.glob(os.path.join(ROOT, "examples", "*.toml")):
    with open(path, "rb") as f:
        write("run_file", os.path.basename(path), f.read())
write("run_file", "minimal.toml", b'[data]\nkind = "csv"\npath = "x.csv"\n[model]\nlayers = []\n')
write("run_file", "edge_strings.toml", b'a = """\nmulti\n"""\nb = \'\\u00e9\'\nc = [1, [2, [3]]]\n'
      b'd = { e = 1979-05-27T07:32:00Z, f = inf, g = -nan, h = 0x10 }\n[[t]]\n[[t]]\n')
