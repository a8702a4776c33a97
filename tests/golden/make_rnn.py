# tests/golden/make_rnn.py: writes the PyTorch reference fixtures for athanor's RNN, LSTM and GRU.
#
# Run with Debian's python3-torch: /usr/bin/python3 tests/golden/make_rnn.py
# It rewrites tests/golden/rnn/<case>_<dtype>.json (float32 and float64), in the format of
# tests/golden/README.md. Each case builds torch.nn.RNN / LSTM / GRU from `kwargs` (parameters from
# PyTorch's own initialization under a per-case seed), runs it on `input` (with initial states
# `h0`, `c0` when the case has them) and backpropagates
#   L = sum(output * grad_output) + sum(h_n * grad_h_n) [+ sum(c_n * grad_c_n)]
# recording `output`, `h_n`, `c_n`, `grad_input`, `grad_h0`, `grad_c0` and `grad.<parameter>`
# beside `state.<parameter>`. Cases cover every cell, 1 and 2 layers, uni- and bidirectional,
# batch_first, with and without initial states and biases, and dropout in eval mode. Seeds are a
# hash of the case name, so re-running reproduces byte-identical files.
import json
import pathlib
import zlib

import torch
from torch import nn

OUT = pathlib.Path(__file__).resolve().parent / "rnn"
DTYPES = {"float32": torch.float32, "float64": torch.float64}
T, N, I, H = 4, 3, 5, 4

CONFIGS = {
    # name: (num_layers, bidirectional, batch_first, initial states)
    "l1": (1, False, False, False),
    "l1_state": (1, False, False, True),
    "l1_bidir_state_batch_first": (1, True, True, True),
    "l2_batch_first": (2, False, True, False),
    "l2_bidir_state": (2, True, False, True),
    "l2_bidir_batch_first": (2, True, True, False),
}
CELLS = {
    "rnn_tanh": (nn.RNN, dict(nonlinearity="tanh")),
    "rnn_relu": (nn.RNN, dict(nonlinearity="relu")),
    "lstm": (nn.LSTM, {}),
    "gru": (nn.GRU, {}),
}


def cases():
    out = []
    for cell, (module, extra) in CELLS.items():
        for config, (layers, bidir, batch_first, state) in CONFIGS.items():
            kwargs = dict(input_size=I, hidden_size=H, num_layers=layers, bidirectional=bidir,
                          batch_first=batch_first, **extra)
            out.append((f"{cell}_{config}", module, kwargs, state, "train"))
    out.append(("lstm_no_bias_l2_bidir_state", nn.LSTM,
                dict(input_size=I, hidden_size=H, num_layers=2, bidirectional=True, bias=False),
                True, "train"))
    out.append(("gru_no_bias_l1_state", nn.GRU,
                dict(input_size=I, hidden_size=H, bias=False), True, "train"))
    # Dropout between layers is off in eval mode: the output is deterministic.
    out.append(("lstm_dropout_eval_l2", nn.LSTM,
                dict(input_size=I, hidden_size=H, num_layers=2, dropout=0.5), True, "eval"))
    return out


def run(name, module, kwargs, state, mode, dtype_name):
    dtype = DTYPES[dtype_name]
    seed = zlib.crc32(name.encode())
    torch.manual_seed(seed)
    m = module(**kwargs).to(dtype)
    m.train(mode == "train")
    g = torch.Generator().manual_seed(seed)
    randn = lambda *shape: torch.randn(shape, generator=g, dtype=dtype)
    lstm = module is nn.LSTM
    states = kwargs.get("num_layers", 1) * (2 if kwargs.get("bidirectional") else 1)
    x = randn(*((N, T, I) if kwargs.get("batch_first") else (T, N, I))).requires_grad_()
    tensors = {"input": x}
    hx = None
    if state:
        h0 = randn(states, N, H).requires_grad_()
        tensors["h0"] = h0
        hx = h0
        if lstm:
            c0 = randn(states, N, H).requires_grad_()
            tensors["c0"] = c0
            hx = (h0, c0)
    for k, v in m.state_dict().items():
        tensors[f"state.{k}"] = v.clone()
    out, hn = m(x, hx)
    h_n, c_n = hn if lstm else (hn, None)
    tensors["grad_output"] = randn(*out.shape)
    tensors["grad_h_n"] = randn(*h_n.shape)
    loss = (out * tensors["grad_output"]).sum() + (h_n * tensors["grad_h_n"]).sum()
    if lstm:
        tensors["grad_c_n"] = randn(*c_n.shape)
        loss = loss + (c_n * tensors["grad_c_n"]).sum()
    loss.backward()
    tensors.update(output=out, h_n=h_n, grad_input=x.grad)
    if lstm:
        tensors["c_n"] = c_n
    if state:
        tensors["grad_h0"] = tensors["h0"].grad
        if lstm:
            tensors["grad_c0"] = tensors["c0"].grad
    for k, p in m.named_parameters():
        tensors[f"grad.{k}"] = p.grad
    write(OUT / f"{name}_{dtype_name}.json", {
        "case": name, "module": module.__name__, "kwargs": kwargs, "dtype": dtype_name,
        "mode": mode}, tensors)


def tensor_json(t):
    t = t.detach().contiguous()
    names = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64"}
    # tolist() turns float32 into Python floats exactly; repr (json's) writes them back exactly.
    return {"dtype": names[t.dtype], "shape": list(t.shape), "data": t.reshape(-1).tolist()}


def write(path, header, tensors):
    """Sorted keys, one tensor per line: small diffs, and the same bytes on every run."""
    dump = lambda v: json.dumps(v, sort_keys=True, allow_nan=False, separators=(",", ":"))
    lines = [f" {dump(k)}: {dump(v)}," for k, v in sorted(header.items())]
    body = ",\n".join(f"  {dump(k)}: {dump(tensor_json(t))}" for k, t in sorted(tensors.items()))
    path.write_text("{\n" + "\n".join(lines) + '\n "tensors": {\n' + body + "\n }\n}\n")


def main():
    torch.set_num_threads(1)
    OUT.mkdir(exist_ok=True)
    for old in OUT.glob("*.json"):
        old.unlink()
    all_cases = cases()
    for c in all_cases:
        for dtype_name in DTYPES:
            run(*c, dtype_name)
    total = sum(p.stat().st_size for p in OUT.glob("*.json"))
    print(f"wrote {2 * len(all_cases)} fixtures ({total // 1024} KiB) to {OUT}")


if __name__ == "__main__":
    main()
