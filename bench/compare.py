#!/usr/bin/env python3
"""bench/compare.py: runs bench_models (athanor) and bench/peers/pytorch.py (PyTorch) alternately
for each model and thread count, repeats each pair (a seed each, both peers starting from PyTorch's
initial weights and batch orders for it), and prints a table of median seconds per epoch, the ratio
athanor/PyTorch, each run's fraction of this CPU's FP32 peak (measured by bench_matmul's fma_peak),
test accuracy and peak memory, and whether each of issue 9's targets is met (speed, the second
core's pay-off, accuracy within 0.5 points, memory no higher). `make bench-compare` runs it;
--json writes every run as JSON lines.

Before and after the models it times oneDNN's own 64x784x256 product (bench_matmul, the mlp's
first layer) at 1 and 2 threads, and prints its speed and 2T/1T: what this machine's two cores
give a product that athanor does not touch, the context for the models' 2T/1T (issue 9 measured
102 and 223 GFLOP/s, 2T/1T 0.46, when it was filed).

  bench/compare.py --athanor build/release/bench/bench_models [--repeats 3] [--models mlp,cnn]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

# One core's FP32 peak when bench_matmul is not built: issue 9's figure for the AMD EPYC (Zen 3,
# AVX2) it was filed on. Otherwise measured at each run (bench_matmul's fma_peak): an Intel Xeon
# with AVX-512 gave about 220.
PEAK_GFLOPS_PER_CORE = 116.0

# Training FLOPs per sample, counted analytically: 2 per multiply-add; each weight layer costs its
# forward product, the weight gradient, and the input gradient except for the first layer (whose
# input needs none).
def training_flops(model):
    def layers(first, rest):
        return 2 * (2 * first + 3 * rest)
    if model == "mlp":
        return layers(784 * 256, 256 * 128 + 128 * 10)
    if model == "cnn":
        conv1 = 32 * 1 * 9 * 28 * 28
        conv2 = 64 * 32 * 9 * 14 * 14
        return layers(conv1, conv2 + 3136 * 128 + 128 * 10)
    if model == "logreg":
        return layers(784 * 10, 0)
    if model == "lstm":
        # The input projection of the 28 steps needs no input gradient; the recurrent one does.
        return layers(28 * 4 * 128 * 28, 28 * 4 * 128 * 128 + 128 * 10)
    raise ValueError(model)


# Targets from issue 9: athanor's time as a fraction of PyTorch's.
TARGET_1 = {"mlp": 0.55, "cnn": 0.55, "lstm": 0.6, "logreg": 0.5}
TARGET_2 = 0.5
SCALING_2 = 0.6  # 2-thread time over athanor's own 1-thread time (mlp, cnn, lstm)
ACCURACY_POINTS = 0.5  # athanor's test accuracy at most this many points below PyTorch's
SAMPLES = 60000


def run(command, env):
    out = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def onednn_product(matmul, threads, env):
    """GFLOP/s of oneDNN's 64x784x256 product at this thread count, from bench_matmul."""
    out = subprocess.run([matmul, "--benchmark_filter=onednn_direct/64x784x256",
                          "--benchmark_format=json"],
                         env=dict(env, ATHANOR_NUM_THREADS=str(threads)), check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)["benchmarks"][0]["GFLOP/s"] / 1e9


def fma_peak(matmul, env, rounds=3):
    """One core's FP32 GFLOP/s from a register-only FMA loop (bench_matmul's fma_peak), the median
    of `rounds`, and its label; None where bench_matmul is missing or has no such loop."""
    if not os.path.exists(matmul):
        return None
    found = []
    for _ in range(rounds):
        out = subprocess.run([matmul, "--benchmark_filter=fma_peak", "--benchmark_format=json"],
                             env=dict(env, ATHANOR_NUM_THREADS="1"), check=True,
                             capture_output=True, text=True).stdout
        found += [(b["GFLOP/s"] / 1e9, b.get("label", "")) for b in json.loads(out)["benchmarks"]]
    if not found:
        return None
    return statistics.median(g for g, _ in found), found[0][1]


def machine_check(matmul, env, rounds):
    """Medians of oneDNN's product speed at 1 and 2 threads over rounds, alternating."""
    if not os.path.exists(matmul):
        return None
    speeds = {1: [], 2: []}
    for _ in range(rounds):
        for threads in (1, 2):
            speeds[threads].append(onednn_product(matmul, threads, env))
    return {t: statistics.median(v) for t, v in speeds.items()}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--athanor", default="build/release/bench/bench_models")
    parser.add_argument("--matmul", default="build/release/bench/bench_matmul",
                        help="bench_matmul, for the machine check (skipped when missing)")
    parser.add_argument("--pytorch", default=os.path.join(os.path.dirname(__file__), "peers",
                                                          "pytorch.py"))
    parser.add_argument("--models", default="mlp,cnn,lstm,logreg")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", help="also write every run to this file, one JSON line each")
    args = parser.parse_args()

    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    runs = []
    before = machine_check(args.matmul, env, 3)
    measured_peak = fma_peak(args.matmul, env)
    peak_per_core = measured_peak[0] if measured_peak else PEAK_GFLOPS_PER_CORE
    starts = tempfile.TemporaryDirectory(prefix="athanor-compare-")
    for model in args.models.split(","):
        # Alternating peers and thread counts within each repeat, so that a drift in the machine's
        # speed hits both ratios (athanor/PyTorch and 2T/1T) alike; a seed per repeat, so that the
        # mean accuracy is not one initialization's luck. Both peers start each seed from
        # PyTorch's initial weights and batch orders for it, so that their accuracies differ by
        # the implementations only: one epoch's accuracy moves with the seed by about a point,
        # more than the 0.5 points the target allows.
        for seed in range(args.repeats):
            seeded = ["--model", model, "--epochs", str(args.epochs), "--seed", str(seed)]
            start = os.path.join(starts.name, f"{model}-{seed}.safetensors")
            subprocess.run(["/usr/bin/python3", args.pytorch, "--export-start", start] + seeded,
                           env=env, check=True)
            for threads in [int(t) for t in args.threads.split(",")]:
                threaded = seeded + ["--threads", str(threads)]
                runs.append(run([args.athanor, "--start", start] + threaded, env))
                runs.append(run(["/usr/bin/python3", args.pytorch] + threaded, env))
                print(".", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    after = machine_check(args.matmul, env, 3)
    if args.json:
        with open(args.json, "w") as f:
            for r in runs:
                f.write(json.dumps(r) + "\n")

    def values(peer, model, threads, key):
        return [r[key] for r in runs
                if r["peer"] == peer and r["model"] == model and r["threads"] == threads]

    def median(peer, model, threads, key):
        found = values(peer, model, threads, key)
        return statistics.median(found) if found else None

    def mean(peer, model, threads, key):
        return statistics.mean(values(peer, model, threads, key))

    header = ("| model | threads | athanor s/epoch | PyTorch s/epoch | ratio | target | met | "
              "athanor % peak | PyTorch % peak | mean accuracy athanor / PyTorch | "
              "peak MB athanor / PyTorch |")
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    all_met = True
    for model in args.models.split(","):
        for threads in [int(t) for t in args.threads.split(",")]:
            ours = median("athanor", model, threads, "seconds_per_epoch")
            theirs = median("pytorch", model, threads, "seconds_per_epoch")
            ratio = ours / theirs
            target = TARGET_1[model] if threads == 1 else TARGET_2
            missed = [] if ratio <= target else ["ratio"]
            note = ""
            if threads == 2 and model != "logreg":
                single = median("athanor", model, 1, "seconds_per_epoch")
                if single:
                    scaling = ours / single
                    if scaling > SCALING_2:
                        missed.append("2T/1T")
                    note = f" (2T/1T {scaling:.2f})"
            # Accuracy: the mean over the seeds, each pair trained from the same start; memory:
            # the median peak.
            accuracy_gap = 100 * (mean("pytorch", model, threads, "test_accuracy")
                                  - mean("athanor", model, threads, "test_accuracy"))
            if accuracy_gap > ACCURACY_POINTS:
                missed.append(f"accuracy {accuracy_gap:.2f} points below")
            if median("athanor", model, threads, "peak_rss_mb") > median("pytorch", model, threads,
                                                                         "peak_rss_mb"):
                missed.append("memory")
            met = not missed
            all_met = all_met and met
            flops = training_flops(model) * SAMPLES
            peak = peak_per_core * 1e9 * threads
            print(f"| {model} | {threads} | {ours:.3f} | {theirs:.3f} | {ratio:.2f}{note} | "
                  f"<= {target} | {'yes' if met else 'NO (' + ', '.join(missed) + ')'} | "
                  f"{100 * flops / ours / peak:.0f}% | "
                  f"{100 * flops / theirs / peak:.0f}% | "
                  f"{mean('athanor', model, threads, 'test_accuracy'):.4f} / "
                  f"{mean('pytorch', model, threads, 'test_accuracy'):.4f} | "
                  f"{median('athanor', model, threads, 'peak_rss_mb'):.0f} / "
                  f"{median('pytorch', model, threads, 'peak_rss_mb'):.0f} |")
    print("every target met" if all_met else "some targets not met")
    if measured_peak:
        print(f"% peak: of {measured_peak[0]:.0f} GFLOP/s per core, bench_matmul's fma_peak "
              f"({measured_peak[1]}), median of 3")
    else:
        print(f"% peak: of {PEAK_GFLOPS_PER_CORE:.0f} GFLOP/s per core, issue 9's figure for the "
              f"AMD EPYC it was filed on ({args.matmul} not built)")
    if before and after:
        print("machine check, oneDNN's own 64x784x256 product (bench_matmul), medians of 3 "
              "(at filing: 102 / 223 GFLOP/s, 2T/1T 0.46):")
        for when, speeds in (("before", before), ("after", after)):
            print(f"  {when}: 1 thread {speeds[1]:.0f} GFLOP/s, 2 threads {speeds[2]:.0f}, "
                  f"2T/1T {speeds[1] / speeds[2]:.2f}")
    else:
        print(f"machine check skipped: {args.matmul} not built")


if __name__ == "__main__":
    main()
