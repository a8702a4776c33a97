# tests/golden/make_metrics.py: writes scikit-learn reference fixtures for athanor's metrics.
#
# Regenerate with Debian's python3-sklearn: /usr/bin/python3 tests/golden/make_metrics.py
# It rewrites tests/golden/metrics/*.json in the format of tests/golden/README.md (read by
# athanor::testing::Golden; "module" is "sklearn.metrics", "dtype" float64, "mode" eval), with
# fixed seeds (one per case, a hash of its name) and sorted keys, so re-running it gives
# byte-identical files. Read by src/metrics/golden_test.cpp.
#
# kwargs: "kind" ("binary", "multiclass" or "regression"), "num_classes", "from_logits",
#   "threshold" (how athanor must turn a binary output into classes), "top_k" (the k values
#   checked, multiclass only).
# tensors: "output", "target" (int64 class indices, float64 0/1 for "binary_float_target", float64
#   for regression), and the expected values:
#   classification: "expected.accuracy", "expected.top_<k>_accuracy",
#     "expected.<precision|recall|f1>.<binary|micro|macro|weighted>" (binary only for 2 classes;
#     scikit-learn's default labels, zero_division=0, which is the default's value without its
#     warning), "expected.confusion_matrix" (int64 [C, C], labels 0..C-1),
#     "expected.per_class.<precision|recall|f1>" [C] and "expected.per_class.support" (int64 [C]),
#     and for binary cases "expected.auc" (roc_auc_score of the positive class's scores);
#   regression: "expected.<mse|rmse|mae|r2>" (multioutput="uniform_average").
import json
import warnings
import pathlib
import zlib

import numpy as np
import sklearn
from sklearn import metrics as skm

OUT = pathlib.Path(__file__).resolve().parent / "metrics"
AVERAGES = ["binary", "micro", "macro", "weighted"]


def tensor_json(a):
    a = np.asarray(a)
    if a.dtype.kind in "iub":
        return {"dtype": "int64", "shape": list(a.shape), "data": [int(v) for v in a.reshape(-1)]}
    # Python floats; json writes their repr, which reads back exactly.
    return {"dtype": "float64", "shape": list(a.shape),
            "data": [float(v) for v in a.astype(np.float64).reshape(-1)]}


def write(name, kwargs, tensors):
    """Sorted keys, one tensor per line: small diffs, and the same bytes on every run."""
    dump = lambda v: json.dumps(v, sort_keys=True, allow_nan=False, separators=(",", ":"))
    header = {"case": name, "module": "sklearn.metrics", "dtype": "float64", "mode": "eval",
              "kwargs": kwargs}
    lines = [f" {dump(k)}: {dump(v)}," for k, v in sorted(header.items())]
    body = ",\n".join(f"  {dump(k)}: {dump(tensor_json(t))}" for k, t in sorted(tensors.items()))
    (OUT / f"{name}.json").write_text(
        "{\n" + "\n".join(lines) + '\n "tensors": {\n' + body + "\n }\n}\n")


def rng_for(name):
    return np.random.RandomState(zlib.crc32(name.encode()))


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def softmax(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def classification(name, output, target, *, from_logits=False, threshold=0.5, top_k=()):
    output = np.asarray(output, dtype=np.float64)
    binary_output = output.ndim == 1 or output.shape[1] == 1
    c = 2 if binary_output else output.shape[1]
    y = np.asarray(target).astype(np.int64)
    if binary_output:
        s = output.reshape(-1)
        pred = ((sigmoid(s) if from_logits else s) >= threshold).astype(np.int64)
    else:
        pred = np.argmax(output, axis=1)  # the first maximum
    labels = list(range(c))
    t = {"output": output, "target": target,
         "expected.accuracy": np.float64(skm.accuracy_score(y, pred)),
         "expected.confusion_matrix": skm.confusion_matrix(y, pred, labels=labels)}
    for avg in AVERAGES:
        if avg == "binary" and c != 2:
            continue
        t[f"expected.precision.{avg}"] = np.float64(
            skm.precision_score(y, pred, average=avg, zero_division=0))
        t[f"expected.recall.{avg}"] = np.float64(
            skm.recall_score(y, pred, average=avg, zero_division=0))
        t[f"expected.f1.{avg}"] = np.float64(skm.f1_score(y, pred, average=avg, zero_division=0))
    p, r, f, support = skm.precision_recall_fscore_support(y, pred, labels=labels, average=None,
                                                           zero_division=0)
    t.update({"expected.per_class.precision": p, "expected.per_class.recall": r,
              "expected.per_class.f1": f, "expected.per_class.support": support})
    for k in top_k:
        t[f"expected.top_{k}_accuracy"] = np.float64(
            skm.top_k_accuracy_score(y, output, k=k, labels=labels))
    if c == 2:
        positive = output.reshape(-1) if binary_output else output[:, 1]
        t["expected.auc"] = np.float64(skm.roc_auc_score(y, positive))
    kind = "binary" if c == 2 else "multiclass"
    write(name, {"kind": kind, "num_classes": c, "from_logits": from_logits,
                 "threshold": threshold, "top_k": list(top_k)}, t)


def regression(name, output, target):
    output = np.asarray(output, dtype=np.float64)
    target = np.asarray(target, dtype=np.float64)
    # scikit-learn takes [N] or [N, D]; an athanor [N, 1] output against [N, 1] targets is D = 1.
    o, y = output, target
    t = {"output": output, "target": target,
         "expected.mse": np.float64(skm.mean_squared_error(y, o)),
         "expected.rmse": np.float64(skm.mean_squared_error(y, o, squared=False)),
         "expected.mae": np.float64(skm.mean_absolute_error(y, o)),
         "expected.r2": np.float64(skm.r2_score(y, o))}
    write(name, {"kind": "regression"}, t)


def main():
    assert sklearn.__version__.startswith("1."), sklearn.__version__
    # k >= C (a perfect top-k score) is a case checked on purpose.
    warnings.filterwarnings("ignore", message=".k. .* greater than or equal to .n_classes.")
    OUT.mkdir(exist_ok=True)
    for old in OUT.glob("*.json"):
        old.unlink()

    # ---- Binary ----
    name = "binary_probabilities"
    g = rng_for(name)
    p = g.uniform(size=57)
    classification(name, p, (g.uniform(size=57) < 0.3 + 0.5 * p).astype(np.int64))

    name = "binary_logits_column"  # [N, 1] logits, from_logits: predicted 1 iff logit >= 0
    g = rng_for(name)
    x = g.normal(0.2, 2.0, size=(64, 1))
    classification(name, x, (g.uniform(size=64) < sigmoid(x[:, 0])).astype(np.int64),
                   from_logits=True)

    name = "binary_logits_threshold"  # [N] logits, from_logits with threshold 0.3
    g = rng_for(name)
    x = g.normal(-0.5, 1.5, size=70)
    classification(name, x, (g.uniform(size=70) < sigmoid(x)).astype(np.int64),
                   from_logits=True, threshold=0.3)

    name = "binary_two_columns"  # [N, 2] softmax probabilities: argmax; AUC of column 1
    g = rng_for(name)
    z = g.normal(size=(50, 2))
    classification(name, softmax(z), (g.uniform(size=50) < softmax(z)[:, 1]).astype(np.int64))

    name = "binary_imbalanced"  # ~10% positives, rarely predicted
    g = rng_for(name)
    y = (g.uniform(size=120) < 0.1).astype(np.int64)
    classification(name, np.clip(0.25 + 0.3 * y + g.normal(0, 0.15, size=120), 0, 1), y)

    name = "binary_never_predicted"  # no score reaches the threshold: precision 0 by convention
    g = rng_for(name)
    y = (g.uniform(size=40) < 0.4).astype(np.int64)
    classification(name, g.uniform(0, 0.45, size=40) + 0.05 * y, y)

    name = "binary_auc_ties"  # scores on a 0.1 grid: many tied groups with both classes
    g = rng_for(name)
    y = (g.uniform(size=90) < 0.5).astype(np.int64)
    classification(name, np.round(np.clip(0.5 + 0.2 * (y - 0.5) + g.normal(0, 0.2, size=90),
                                          0, 1), 1), y)

    name = "binary_float_target"  # 0/1 targets stored as float64
    g = rng_for(name)
    p = g.uniform(size=33)
    classification(name, p, (g.uniform(size=33) < p).astype(np.float64))

    # ---- Multiclass ----
    def logits_for(g, y, c, signal):
        z = g.normal(size=(len(y), c))
        z[np.arange(len(y)), y] += signal
        return z

    name = "multiclass3"
    g = rng_for(name)
    y = g.randint(0, 3, size=60)
    classification(name, logits_for(g, y, 3, 1.0), y, top_k=(1, 2))

    name = "multiclass5"
    g = rng_for(name)
    y = g.randint(0, 5, size=90)
    classification(name, softmax(logits_for(g, y, 5, 1.2)), y, top_k=(1, 2, 3, 5))

    name = "multiclass5_imbalanced"
    g = rng_for(name)
    y = g.choice(5, size=100, p=[0.6, 0.2, 0.1, 0.07, 0.03])
    classification(name, logits_for(g, y, 5, 0.8), y, top_k=(2, 3))

    name = "multiclass4_never_predicted"  # class 3 occurs in the targets but is never predicted
    g = rng_for(name)
    y = g.randint(0, 4, size=64)
    z = logits_for(g, y, 4, 1.0)
    z[:, 3] = -10.0
    classification(name, z, y, top_k=(2,))

    name = "multiclass4_absent_class"  # class 2 neither occurs nor is predicted: not in macro
    g = rng_for(name)
    y = g.choice([0, 1, 3], size=48)
    z = logits_for(g, y, 4, 1.0)
    z[:, 2] = -10.0
    classification(name, z, y, top_k=(2, 3))

    name = "multiclass4_tied_scores"  # integer scores: ties for top-k (higher index ranks first)
    g = rng_for(name)
    y = g.randint(0, 4, size=72)
    classification(name, g.randint(0, 3, size=(72, 4)).astype(np.float64), y, top_k=(1, 2, 3))

    # ---- Regression ----
    name = "regression_1d"
    g = rng_for(name)
    y = g.normal(1.5, 2.0, size=80)
    regression(name, y + g.normal(0, 0.7, size=80), y)

    name = "regression_column"  # [N, 1] outputs and targets
    g = rng_for(name)
    y = g.normal(-3.0, 0.5, size=(45, 1))
    regression(name, y + g.normal(0, 0.3, size=(45, 1)), y)

    name = "regression_multioutput"  # 3 outputs of different scales and offsets
    g = rng_for(name)
    y = np.stack([g.normal(0, 1, 66), g.normal(100, 0.01, 66), g.normal(-5, 30, 66)], axis=1)
    noise = np.stack([g.normal(0, 0.5, 66), g.normal(0, 0.02, 66), g.normal(0, 10, 66)], axis=1)
    regression(name, y + noise, y)

    name = "regression_constant_column"  # a constant target column: r2 0 there (force_finite)
    g = rng_for(name)
    y = np.stack([g.normal(0, 1, 40), np.full(40, 2.0)], axis=1)
    regression(name, y + g.normal(0, 0.4, size=(40, 2)), y)


if __name__ == "__main__":
    main()
