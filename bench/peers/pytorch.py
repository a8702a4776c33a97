#!/usr/bin/python3
"""bench/peers/pytorch.py: the four benchmark models of bench/models.cpp in PyTorch (Debian's
python3-torch 1.13, CPU), trained the same way on Fashion-MNIST held in memory; prints the same JSON
line. PyTorch's best configuration for the thread count: torch.set_num_threads(N) with the BLAS pool
held to one thread (OPENBLAS_NUM_THREADS=1, set before torch is imported), as measured here.

  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/peers/pytorch.py --model mlp --threads 1
"""
import argparse
import gzip
import json
import os
import resource
import struct
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

DATA = "/usr/share/datasets/fashion-mnist"


def read_idx(name, offset):
    with gzip.open(os.path.join(DATA, name), "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def load(split):
    images = read_idx(f"{split}-images-idx3-ubyte.gz", 16).reshape(-1, 1, 28, 28)
    labels = read_idx(f"{split}-labels-idx1-ubyte.gz", 8)
    return (torch.from_numpy(images.astype(np.float32) / 255.0),
            torch.from_numpy(labels.astype(np.int64)))


class RowLstm(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(28, 128, batch_first=True)
        self.head = nn.Linear(128, 10)

    def forward(self, images):
        _, (h_n, _) = self.lstm(images.reshape(images.shape[0], 28, 28))
        return self.head(h_n[0])


def make(name):
    if name == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128),
                             nn.ReLU(), nn.Linear(128, 10)), 64
    if name == "cnn":
        return nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(),
                             nn.Linear(128, 10)), 64
    if name == "logreg":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 10)), 128
    if name == "lstm":
        return RowLstm(), 64
    raise SystemExit(f"pytorch.py: unknown model {name!r}; expected mlp, cnn, logreg or lstm")


def save_safetensors(path, tensors):
    """Writes {name: tensor} as a safetensors file (8-byte little-endian header length, JSON
    header padded with spaces to 8 bytes, then the row-major data), without the safetensors
    package, which Debian's python3-torch does not bring."""
    dtypes = {torch.float32: "F32", torch.int64: "I64"}
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.detach().contiguous().numpy().tobytes()
        header[name] = {"dtype": dtypes[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path + ".tmp", "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))
    os.replace(path + ".tmp", path)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="mlp")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=int, default=0, help="train on the first N images only")
    parser.add_argument("--export-start", metavar="FILE",
                        help="write the seed's initial weights (as state_dict names) and each "
                        "epoch's batch order ('order.<epoch>') to FILE as safetensors, and exit "
                        "without training: bench_models --start FILE then trains from the same "
                        "start, so that the two accuracies differ only by the implementations")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    train_x, train_y = load("train")
    test_x, test_y = load("t10k")
    if 0 < args.limit < train_x.shape[0]:
        train_x, train_y = train_x[:args.limit], train_y[:args.limit]
    model, batch = make(args.model)
    if args.model == "logreg":
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    n = train_x.shape[0]
    # Each epoch's order drawn up front, in the order the training loop used to draw them.
    orders = [torch.randperm(n) for _ in range(args.epochs)]
    if args.export_start:
        start = dict(model.state_dict())
        start.update({f"order.{e}": order for e, order in enumerate(orders)})
        save_safetensors(args.export_start, start)
        return
    seconds = 0.0
    cpu_start = time.process_time()
    for order in orders:
        start = time.perf_counter()
        for i in range(0, n, batch):
            index = order[i:i + batch]
            x, y = train_x[index], train_y[index]
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
        seconds += time.perf_counter() - start
    per_epoch = seconds / args.epochs
    cpu_per_epoch = (time.process_time() - cpu_start) / args.epochs
    model.eval()
    with torch.no_grad():
        correct = sum(int((model(test_x[i:i + 1000]).argmax(1) == test_y[i:i + 1000]).sum())
                      for i in range(0, test_x.shape[0], 1000))
    print(json.dumps({
        "peer": "pytorch", "model": args.model, "threads": args.threads, "batch": batch,
        "epochs": args.epochs, "seconds_per_epoch": round(per_epoch, 4),
        "cpu_seconds_per_epoch": round(cpu_per_epoch, 4),
        "samples_per_second": round(n / per_epoch, 1),
        "test_accuracy": round(correct / test_x.shape[0], 4),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1)}))


if __name__ == "__main__":
    main()
