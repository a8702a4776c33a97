# tests/python/read_safetensors.py: safetensors interop between athanor and Python (numpy, torch).
#
# Run with /usr/bin/python3 (Debian's numpy; torch is optional). Called by
# src/io/safetensors_python_test.cpp in two modes:
#   check FILE EXPECT_JSON   read FILE (written by athanor) with json + numpy only, compare names,
#                            dtypes, shapes and values with EXPECT_JSON; if torch imports, load the
#                            "0.*"/"2.*" tensors into Sequential(Linear(3,4), ReLU(), Linear(4,2))
#                            with load_state_dict(strict=True) and compare its output.
#   write FILE EXPECT_JSON   write FILE with numpy only (the reference writer's layout: data sorted
#                            by dtype size then name, header padded with spaces to 8 bytes), with
#                            an MLP under torch state_dict names, and EXPECT_JSON for athanor.
# EXPECT_JSON: {"metadata": {k: v}, "tensors": {name: {"dtype", "shape", "values" (flat)}},
#               "mlp": {"input": [[3 floats], ...], "output": [[2 floats], ...]}}
# Exit status 0 when everything matches; the reason is printed otherwise.
import json
import struct
import sys

import numpy as np

DTYPES = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "U8": np.uint8, "BOOL": np.bool_}
MLP_KEYS = ["0.weight", "0.bias", "2.weight", "2.bias"]


def read_safetensors(path):
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    buf = memoryview(data)[8 + n:]
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        raw = np.frombuffer(buf[begin:end], dtype=DTYPES[info["dtype"]])
        tensors[name] = raw.reshape(info["shape"]).copy()
    return n, header, tensors, metadata


def mlp_output(tensors, x):
    w0, b0, w2, b2 = (tensors[k].astype(np.float64) for k in MLP_KEYS)
    return np.maximum(x @ w0.T + b0, 0.0) @ w2.T + b2


def check(path, expect_path):
    expect = json.load(open(expect_path))
    n, header, tensors, metadata = read_safetensors(path)
    assert (8 + n) % 8 == 0, f"data starts at byte {8 + n}, not 8-aligned"
    spans = sorted(tuple(info["data_offsets"]) for info in header.values())
    covered = 0
    for begin, end in spans:
        assert begin == covered, f"offsets not contiguous at {begin} (expected {covered})"
        covered = end
    assert metadata == expect["metadata"], f"metadata {metadata} != {expect['metadata']}"
    assert list(tensors) == list(expect["tensors"]), f"names {list(tensors)}"
    for name, want in expect["tensors"].items():
        got = tensors[name]
        assert header[name]["dtype"] == want["dtype"], f"{name}: dtype {header[name]['dtype']}"
        assert list(got.shape) == want["shape"], f"{name}: shape {got.shape} != {want['shape']}"
        ref = np.array(want["values"], dtype=DTYPES[want["dtype"]]).reshape(want["shape"])
        assert np.array_equal(got, ref), f"{name}: values {got.ravel()} != {ref.ravel()}"
    print(f"numpy: {len(tensors)} tensors match")
    if "mlp" in expect:
        x = np.array(expect["mlp"]["input"], dtype=np.float64)
        out = mlp_output(tensors, x)
        dev = np.abs(out - np.array(expect["mlp"]["output"])).max()
        print(f"numpy MLP max deviation from athanor: {dev:.3g}")
        assert dev < 1e-5, f"numpy MLP output deviates by {dev}"
        try:
            import torch
        except ImportError:
            print("torch not installed: skipped the load_state_dict part")
            return
        model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
        model.load_state_dict({k: torch.from_numpy(tensors[k]) for k in MLP_KEYS}, strict=True)
        with torch.no_grad():
            out = model(torch.tensor(expect["mlp"]["input"], dtype=torch.float32)).double().numpy()
        dev = np.abs(out - np.array(expect["mlp"]["output"])).max()
        print(f"torch {torch.__version__} load_state_dict(strict=True): max deviation {dev:.3g}")
        assert dev < 1e-5, f"torch output deviates by {dev}"


def state_dict():
    """An MLP's parameters under PyTorch's names (the check mode proves torch accepts them)."""
    rng = np.random.default_rng(0)
    shapes = {"0.weight": (4, 3), "0.bias": (4,), "2.weight": (2, 4), "2.bias": (2,)}
    return {k: rng.uniform(-1, 1, s).astype(np.float32) for k, s in shapes.items()}


def write(path, expect_path):
    tensors = state_dict()
    tensors.update({
        "f64": np.array([[0.1, -2.5, 1e300], [3.0, -0.0, 7.25]], dtype=np.float64),
        "i64": np.array([-3, 2**40, 0, 9], dtype=np.int64),
        "u8": np.array([0, 255, 17], dtype=np.uint8),
        "mask": np.array([True, False, True, True]),
        "scalar": np.array(2.5, dtype=np.float32),
        "empty": np.zeros((0, 3), dtype=np.float32),
        "bn.num_batches_tracked": np.array(12, dtype=np.int64),
    })
    tag = {v: k for k, v in DTYPES.items()}
    # The reference writer's order: larger dtypes first, then by name.
    order = sorted(tensors, key=lambda k: (-tensors[k].dtype.itemsize, k))
    header, offset = {"__metadata__": {"format": "pt", "writer": "numpy"}}, 0
    for name in order:
        a = tensors[name]
        header[name] = {"dtype": tag[a.dtype.type], "shape": list(a.shape),
                        "data_offsets": [offset, offset + a.nbytes]}
        offset += a.nbytes
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text)
        for name in order:
            f.write(tensors[name].astype(tensors[name].dtype.newbyteorder("<")).tobytes())
    x = np.array([[1.0, -2.0, 0.5], [0.25, 0.75, -1.5]])
    expect = {
        "metadata": header["__metadata__"],
        "tensors": {k: {"dtype": header[k]["dtype"], "shape": list(tensors[k].shape),
                        "values": tensors[k].ravel().tolist()} for k in order},
        "mlp": {"input": x.tolist(), "output": mlp_output(tensors, x).tolist()},
    }
    json.dump(expect, open(expect_path, "w"))
    print(f"wrote {len(order)} tensors to {path}")


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in ("check", "write"):
        sys.exit("usage: read_safetensors.py check|write FILE EXPECT_JSON")
    try:
        (check if sys.argv[1] == "check" else write)(sys.argv[2], sys.argv[3])
    except AssertionError as e:
        sys.exit(f"mismatch: {e}")
