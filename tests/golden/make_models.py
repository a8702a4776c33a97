# tests/golden/make_models.py: writes the scikit-learn reference fixtures for athanor::models
# (LinearRegression, Ridge, LogisticRegression).
#
# Run with Debian's python3-sklearn: /usr/bin/python3 tests/golden/make_models.py
# It rewrites tests/golden/models/*.json in the format of tests/golden/README.md (read by
# athanor::testing::Golden; "module" is the scikit-learn class, "kwargs" its options plus the
# scalar results, "dtype" float64, "mode" eval). Re-running reproduces byte-identical files.
#
# Data: the CSV files of Debian's python3-sklearn, read the way the C++ tests read them. athanor's
# CSV reader returns float32 features, so every feature is rounded to float32 here first; then
# both sides compute in float64 on exactly the same X:
# - diabetes: diabetes_data_raw.csv.gz (442 x 10, space-separated) scaled as sklearn's
#   load_diabetes(scaled=True) does: centred, divided by the population standard deviation and by
#   sqrt(n_samples); target diabetes_target.csv.gz. Tensor x_head holds the first 3 scaled rows so
#   the test can check its own scaling.
# - linnerud: linnerud_exercise.csv -> linnerud_physiological.csv (20 x 3 -> 3 targets).
# - breast_cancer.csv and iris.csv: split by a seeded permutation (train_index, test_index), then
#   standardized with the training split's mean and population standard deviation.
# Tensors: coef and intercept (shaped as sklearn's coef_ / intercept_), and for classifiers the
# test predictions and probabilities. Kwargs: the estimator's options, r2 (training R^2) for
# regressors, train_accuracy / test_accuracy for classifiers. Classifiers are solved to the
# optimum (tol 1e-10) with newton-cholesky (binary L2), newton-cg (multinomial) or saga (L1,
# elastic net); lbfgs_coef_deviation records how far the default lbfgs stops from it.
import gzip
import json
import pathlib
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge

OUT = pathlib.Path(__file__).resolve().parent / "models"
DATA = pathlib.Path("/usr/lib/python3/dist-packages/sklearn/datasets/data")


def tensor_json(a):
    a = np.asarray(a)
    if a.dtype.kind in "iu":
        return {"dtype": "int64", "shape": list(a.shape), "data": [int(v) for v in a.reshape(-1)]}
    # float() gives Python floats; json writes their repr, which reads back exactly.
    return {"dtype": "float64", "shape": list(a.shape),
            "data": [float(v) for v in a.astype(np.float64).reshape(-1)]}


def write(name, module, kwargs, tensors):
    """Sorted keys, one tensor per line: small diffs, and the same bytes on every run."""
    header = {"case": name, "module": module, "kwargs": kwargs, "dtype": "float64",
              "mode": "eval"}
    dump = lambda v: json.dumps(v, sort_keys=True, allow_nan=False, separators=(",", ":"))
    lines = [f" {dump(k)}: {dump(v)}," for k, v in sorted(header.items())]
    body = ",\n".join(f"  {dump(k)}: {dump(tensor_json(t))}" for k, t in sorted(tensors.items()))
    (OUT / f"{name}.json").write_text(
        "{\n" + "\n".join(lines) + '\n "tensors": {\n' + body + "\n }\n}\n")


def as_float32(a):
    """What athanor's CSV reader hands over: float32 values, widened again for the maths."""
    return np.asarray(a, dtype=np.float64).astype(np.float32).astype(np.float64)


def diabetes():
    with gzip.open(DATA / "diabetes_data_raw.csv.gz") as f:
        x = as_float32(np.loadtxt(f))
    with gzip.open(DATA / "diabetes_target.csv.gz") as f:
        y = as_float32(np.loadtxt(f))
    # sklearn.datasets.load_diabetes(scaled=True): preprocessing.scale (population std), then
    # divided by sqrt(n_samples), so every column has unit Euclidean norm.
    x = (x - x.mean(axis=0)) / x.std(axis=0) / np.sqrt(x.shape[0])
    return x, y


def linnerud():
    x = as_float32(np.loadtxt(DATA / "linnerud_exercise.csv", skiprows=1))
    y = as_float32(np.loadtxt(DATA / "linnerud_physiological.csv", skiprows=1))
    return x, y


def classification(name, seed, train_share):
    """sklearn's bundled format: a first line "rows,features,class names...", then rows of
    features and the class index. Returns the standardized features, labels and the split."""
    a = np.loadtxt(DATA / name, delimiter=",", skiprows=1)
    x, y = as_float32(a[:, :-1]), a[:, -1].astype(np.int64)
    order = np.random.RandomState(seed).permutation(len(x))
    n_train = int(len(x) * train_share)
    train, test = np.sort(order[:n_train]), np.sort(order[n_train:])
    x = (x - x[train].mean(axis=0)) / x[train].std(axis=0)
    return x, y, train, test


def regression_case(name, model, x, y, options, extra=None):
    model.fit(x, y)
    kwargs = dict(options, r2=float(model.score(x, y)))
    tensors = {"coef": model.coef_, "intercept": np.asarray(model.intercept_)}
    tensors.update(extra or {})
    write(name, type(model).__name__, kwargs, tensors)


def classifier_case(name, x, y, train, test, options, extra_kwargs=None):
    # Tight tolerances so that the reference is the optimum of the objective, not an early stop.
    # newton-cg may report that it did not converge under tol=1e-10 after reaching a gradient of
    # ~1e-11; that is the optimum for our purposes.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = LogisticRegression(tol=1e-10, max_iter=10000, random_state=0, **options)
        model.fit(x[train], y[train])
    kwargs = dict(options, train_accuracy=float(model.score(x[train], y[train])),
                  test_accuracy=float(model.score(x[test], y[test])))
    if options.get("solver", "lbfgs").startswith("newton"):
        # The default lbfgs stops on its relative-decrease test (ftol) long before tol: how far
        # its coefficients lie from the optimum.
        lbfgs_options = dict(options, solver="lbfgs")
        lbfgs = LogisticRegression(tol=1e-10, max_iter=10000, **lbfgs_options)
        lbfgs.fit(x[train], y[train])
        kwargs["lbfgs_coef_deviation"] = float(np.abs(lbfgs.coef_ - model.coef_).max())
    kwargs.update(extra_kwargs or {})
    write(name, "LogisticRegression", kwargs,
          {"coef": model.coef_, "intercept": model.intercept_, "train_index": train,
           "test_index": test, "test_predict": model.predict(x[test]),
           "test_predict_proba": model.predict_proba(x[test])})


def main():
    OUT.mkdir(exist_ok=True)

    x, y = diabetes()
    head = {"x_head": x[:3]}
    regression_case("linreg_diabetes", LinearRegression(), x, y, {"fit_intercept": True}, head)
    regression_case("linreg_diabetes_no_intercept", LinearRegression(fit_intercept=False), x, y,
                    {"fit_intercept": False})
    regression_case("ridge_diabetes", Ridge(alpha=0.5, solver="svd"), x, y,
                    {"alpha": 0.5, "fit_intercept": True})

    x, y = linnerud()
    regression_case("linreg_linnerud", LinearRegression(), x, y, {"fit_intercept": True})
    regression_case("ridge_linnerud_no_intercept", Ridge(alpha=10.0, fit_intercept=False,
                                                         solver="svd"), x, y,
                    {"alpha": 10.0, "fit_intercept": False})

    x, y, train, test = classification("breast_cancer.csv", seed=0, train_share=0.8)
    classifier_case("logreg_breast_cancer_l2", x, y, train, test,
                    {"penalty": "l2", "C": 1.0, "solver": "newton-cholesky"})
    # liblinear also penalizes the intercept (a different objective): its accuracy is recorded
    # for comparison, saga's optimum of sklearn's documented L1 objective is the reference.
    liblinear = LogisticRegression(penalty="l1", C=0.1, solver="liblinear", tol=1e-10,
                                   max_iter=100000, random_state=0).fit(x[train], y[train])
    classifier_case("logreg_breast_cancer_l1", x, y, train, test,
                    {"penalty": "l1", "C": 0.1, "solver": "saga"},
                    {"liblinear_test_accuracy": float(liblinear.score(x[test], y[test]))})
    classifier_case("logreg_breast_cancer_elasticnet", x, y, train, test,
                    {"penalty": "elasticnet", "C": 0.5, "l1_ratio": 0.5, "solver": "saga"})

    x, y, train, test = classification("iris.csv", seed=1, train_share=0.7)
    classifier_case("logreg_iris_multinomial", x, y, train, test,
                    {"penalty": "l2", "C": 1.0, "multi_class": "multinomial",
                     "solver": "newton-cg"})


if __name__ == "__main__":
    main()
