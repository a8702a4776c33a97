# tests/golden/make_optim.py: writes the PyTorch reference fixtures for athanor's optimizers and
# learning-rate schedulers.
#
# Run with Debian's python3-torch: /usr/bin/python3 tests/golden/make_optim.py
# It rewrites tests/golden/optim/*.json in the format of tests/golden/README.md (read by
# athanor::testing::Golden), all in float64:
#
# opt_<case>.json: a torch.optim optimizer trained for 20 full-batch steps on a fixed small model,
#   y = tanh(x w1^T + b1) w2^T + b2, loss = mean((y - target)^2). "module" is the optimizer's
#   class; "kwargs" its options with athanor's state-dict names ("betas.0", "betas.1" for betas);
#   with "groups": 2, w1 and b1 form group 0 (the keys without prefix) and w2 and b2 group 1 (the
#   keys prefixed "group1.", complete: unlisted options take PyTorch's defaults). With
#   "unused_param", a fifth parameter that never receives a gradient is passed too.
#   Tensors: x, target, and params.<name> of shape [21, ...]: the initial values, then the values
#   after each step.
# sched_<case>.json: a torch.optim.lr_scheduler schedule over an SGD optimizer with two groups
#   (lr 0.1 and 0.05, momentum 0.9; Adam with the same lrs where "module" cycles betas). Tensors:
#   lr [101, 2], get_last_lr() after construction and after each of 100 step() calls; momentum
#   [101, 2] for OneCycleLR (momentum, or beta1 for Adam); metrics [100] for ReduceLROnPlateau.
#   The athanor test builds the same schedule from its own table of cases (by "case").
# Each case draws from its own seed (a hash of its name): adding a case leaves the others
# untouched, and re-running the script reproduces byte-identical files.
import json
import math
import pathlib
import zlib

import torch
from torch.optim import lr_scheduler as sched

OUT = pathlib.Path(__file__).resolve().parent / "optim"
STEPS = 20
SCHED_STEPS = 100


def tensor_json(t):
    t = t.detach().contiguous()
    names = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64"}
    # tolist() gives Python floats; json writes their repr, which reads back exactly.
    return {"dtype": names[t.dtype], "shape": list(t.shape), "data": t.reshape(-1).tolist()}


def write(path, header, tensors):
    """Sorted keys, one tensor per line: small diffs, and the same bytes on every run."""
    dump = lambda v: json.dumps(v, sort_keys=True, allow_nan=False, separators=(",", ":"))
    lines = [f" {dump(k)}: {dump(v)}," for k, v in sorted(header.items())]
    body = ",\n".join(f"  {dump(k)}: {dump(tensor_json(t))}" for k, t in sorted(tensors.items()))
    path.write_text("{\n" + "\n".join(lines) + '\n "tensors": {\n' + body + "\n }\n}\n")


# ---- Optimizers ---------------------------------------------------------------------------------

OPT_CASES = []


def opt_case(name, cls, kwargs, group1=None, unused_param=False):
    OPT_CASES.append(dict(name=name, cls=cls, kwargs=kwargs, group1=group1,
                          unused_param=unused_param))


def torch_kwargs(kwargs):
    """athanor's flattened names -> torch's keyword arguments."""
    out = {k: v for k, v in kwargs.items() if not k.startswith("betas.")}
    if "betas.0" in kwargs:
        out["betas"] = (kwargs["betas.0"], kwargs["betas.1"])
    return out


def optimizer_cases():
    sgd, adam, adamw = torch.optim.SGD, torch.optim.Adam, torch.optim.AdamW
    rmsprop, adagrad = torch.optim.RMSprop, torch.optim.Adagrad
    nadam, radam = torch.optim.NAdam, torch.optim.RAdam
    opt_case("sgd", sgd, dict(lr=0.1))
    opt_case("sgd_momentum", sgd, dict(lr=0.05, momentum=0.9))
    opt_case("sgd_momentum_dampening", sgd, dict(lr=0.05, momentum=0.9, dampening=0.3))
    opt_case("sgd_nesterov", sgd, dict(lr=0.05, momentum=0.9, nesterov=True))
    opt_case("sgd_nesterov_weight_decay", sgd,
             dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.05))
    opt_case("sgd_weight_decay", sgd, dict(lr=0.1, weight_decay=0.1))
    opt_case("sgd_maximize", sgd, dict(lr=0.02, momentum=0.5, maximize=True))
    opt_case("sgd_groups", sgd, dict(lr=0.1), group1=dict(lr=0.02, momentum=0.9, nesterov=True))
    opt_case("adam", adam, dict(lr=0.01))
    opt_case("adam_betas", adam, {"lr": 0.02, "betas.0": 0.8, "betas.1": 0.99, "eps": 1e-6})
    opt_case("adam_amsgrad", adam, dict(lr=0.01, amsgrad=True))
    opt_case("adam_weight_decay", adam, dict(lr=0.01, weight_decay=0.1))
    opt_case("adam_amsgrad_weight_decay", adam, dict(lr=0.01, amsgrad=True, weight_decay=0.1))
    opt_case("adam_maximize", adam, dict(lr=0.01, maximize=True))
    opt_case("adam_groups_unused", adam, dict(lr=0.01), group1=dict(lr=0.003, amsgrad=True),
             unused_param=True)
    opt_case("adamw", adamw, dict(lr=0.01))
    opt_case("adamw_amsgrad", adamw, dict(lr=0.01, weight_decay=0.1, amsgrad=True))
    opt_case("adamw_maximize", adamw, dict(lr=0.01, weight_decay=0.05, maximize=True))
    opt_case("rmsprop", rmsprop, dict(lr=0.01))
    opt_case("rmsprop_alpha", rmsprop, dict(lr=0.01, alpha=0.9, eps=1e-6))
    opt_case("rmsprop_centered", rmsprop, dict(lr=0.01, centered=True))
    opt_case("rmsprop_momentum", rmsprop, dict(lr=0.005, momentum=0.9))
    opt_case("rmsprop_centered_momentum_weight_decay", rmsprop,
             dict(lr=0.005, momentum=0.8, centered=True, weight_decay=0.1))
    opt_case("rmsprop_maximize", rmsprop, dict(lr=0.005, maximize=True))
    opt_case("adagrad", adagrad, dict(lr=0.1))
    opt_case("adagrad_decay", adagrad,
             dict(lr=0.1, lr_decay=0.05, weight_decay=0.1, initial_accumulator_value=0.1))
    opt_case("adagrad_maximize", adagrad, dict(lr=0.05, eps=1e-6, maximize=True))
    opt_case("nadam", nadam, dict(lr=0.01))
    opt_case("nadam_weight_decay", nadam,
             {"lr": 0.01, "betas.0": 0.85, "weight_decay": 0.1, "momentum_decay": 0.01})
    opt_case("radam", radam, dict(lr=0.01))
    opt_case("radam_weight_decay", radam, {"lr": 0.01, "betas.1": 0.99, "weight_decay": 0.1})
    for c in OPT_CASES:
        if "betas.0" in c["kwargs"] or "betas.1" in c["kwargs"]:
            c["kwargs"].setdefault("betas.0", 0.9)
            c["kwargs"].setdefault("betas.1", 0.999)


def run_optimizer(c):
    seed = zlib.crc32(c["name"].encode())
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(16, 3, generator=g)
    target = torch.randn(16, 2, generator=g)
    params = {
        "w1": 0.5 * torch.randn(5, 3, generator=g),
        "b1": 0.1 * torch.randn(5, generator=g),
        "w2": 0.5 * torch.randn(2, 5, generator=g),
        "b2": 0.1 * torch.randn(2, generator=g),
    }
    if c["unused_param"]:
        params["unused"] = torch.randn(3, generator=g)
    for p in params.values():
        p.requires_grad_()
    tensors = {"x": x, "target": target}
    history = {k: [v.detach().clone()] for k, v in params.items()}

    kwargs = torch_kwargs(c["kwargs"])
    if c["group1"] is None:
        opt = c["cls"](list(params.values()), **kwargs)
    else:
        group0 = [params["w1"], params["b1"]] + ([params["unused"]] if c["unused_param"] else [])
        opt = c["cls"]([dict(params=group0, **kwargs),
                        dict(params=[params["w2"], params["b2"]], **torch_kwargs(c["group1"]))])
    for _ in range(STEPS):
        opt.zero_grad()
        y = torch.tanh(x @ params["w1"].T + params["b1"]) @ params["w2"].T + params["b2"]
        ((y - target) ** 2).mean().backward()
        opt.step()
        for k, v in params.items():
            history[k].append(v.detach().clone())
    for k, v in history.items():
        tensors[f"params.{k}"] = torch.stack(v)

    kwargs_json = dict(c["kwargs"])
    if c["group1"] is not None:
        kwargs_json["groups"] = 2
        kwargs_json.update({f"group1.{k}": v for k, v in c["group1"].items()})
    if c["unused_param"]:
        kwargs_json["unused_param"] = True
    write(OUT / f"opt_{c['name']}.json", {
        "case": c["name"], "module": c["cls"].__name__, "kwargs": kwargs_json,
        "dtype": "float64", "mode": "train"}, tensors)


# ---- Schedulers ---------------------------------------------------------------------------------

SCHED_CASES = []


def sched_case(name, make, kwargs, optimizer="SGD", metrics=None, extra_step=None):
    """make(optimizer) -> scheduler; metrics(step) -> the value given to ReduceLROnPlateau;
    extra_step(optimizer) -> a second schedule stepped after the first each time (warm-up)."""
    SCHED_CASES.append(dict(name=name, make=make, kwargs=kwargs, optimizer=optimizer,
                            metrics=metrics, extra_step=extra_step))


def plateau_metrics(step):
    """Falls, plateaus with noise, falls again: every branch of ReduceLROnPlateau is taken."""
    if step < 20:
        return 1.0 - 0.02 * step
    if step < 60:
        return 0.62 + 0.001 * math.sin(step)
    return 0.5 - 0.001 * step + 0.002 * math.cos(3 * step)


def rising_metrics(step):
    return 0.5 + 0.01 * min(step, 30) + 0.0005 * math.sin(step)


def scheduler_cases():
    sched_case("constant", lambda o: sched.ConstantLR(o, factor=0.5, total_iters=10),
               dict(factor=0.5, total_iters=10))
    sched_case("constant_default", lambda o: sched.ConstantLR(o), {})
    sched_case("step", lambda o: sched.StepLR(o, step_size=30, gamma=0.1),
               dict(step_size=30, gamma=0.1))
    sched_case("multi_step", lambda o: sched.MultiStepLR(o, milestones=[20, 50, 50, 80], gamma=0.5),
               dict(milestones=[20, 50, 50, 80], gamma=0.5))
    sched_case("exponential", lambda o: sched.ExponentialLR(o, gamma=0.97), dict(gamma=0.97))
    sched_case("cosine", lambda o: sched.CosineAnnealingLR(o, T_max=100), dict(T_max=100))
    sched_case("cosine_restart_eta_min",
               lambda o: sched.CosineAnnealingLR(o, T_max=30, eta_min=0.001),
               dict(T_max=30, eta_min=0.001))
    sched_case("cosine_warm_restarts",
               lambda o: sched.CosineAnnealingWarmRestarts(o, T_0=10, T_mult=2, eta_min=0.001),
               dict(T_0=10, T_mult=2, eta_min=0.001))
    sched_case("linear_warmup", lambda o: sched.LinearLR(o, start_factor=0.25, total_iters=10),
               dict(start_factor=0.25, total_iters=10))
    sched_case("linear_decay",
               lambda o: sched.LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=100),
               dict(start_factor=1.0, end_factor=0.1, total_iters=100))
    sched_case("polynomial", lambda o: sched.PolynomialLR(o, total_iters=80, power=2.0),
               dict(total_iters=80, power=2.0))
    sched_case("lambda_inverse_sqrt",
               lambda o: sched.LambdaLR(o, lr_lambda=lambda e: 1.0 / math.sqrt(1.0 + e)), {})
    sched_case("multiplicative", lambda o: sched.MultiplicativeLR(o, lr_lambda=lambda e: 0.95), {})
    sched_case("one_cycle", lambda o: sched.OneCycleLR(o, max_lr=[0.5, 0.2], total_steps=100),
               dict(max_lr=[0.5, 0.2], total_steps=100))
    sched_case("one_cycle_linear_three_phase",
               lambda o: sched.OneCycleLR(o, max_lr=0.4, epochs=10, steps_per_epoch=10,
                                          pct_start=0.25, anneal_strategy="linear",
                                          three_phase=True, div_factor=10.0,
                                          final_div_factor=100.0),
               dict(max_lr=0.4, epochs=10, steps_per_epoch=10, pct_start=0.25,
                    anneal_strategy="linear", three_phase=True, div_factor=10.0,
                    final_div_factor=100.0))
    sched_case("one_cycle_adam",
               lambda o: sched.OneCycleLR(o, max_lr=0.01, total_steps=100, base_momentum=0.8,
                                          max_momentum=0.9),
               dict(max_lr=0.01, total_steps=100, base_momentum=0.8, max_momentum=0.9),
               optimizer="Adam")
    sched_case("warmup_cosine",
               lambda o: sched.SequentialLR(o, [sched.LinearLR(o, start_factor=0.1, total_iters=10),
                                                sched.CosineAnnealingLR(o, T_max=90)],
                                            milestones=[10]),
               dict(warmup_steps=10, start_factor=0.1, then="CosineAnnealingLR(T_max=90)"))
    sched_case("warmup_linear",
               lambda o: sched.SequentialLR(o, [sched.LinearLR(o, start_factor=0.1, total_iters=10),
                                                sched.LinearLR(o, start_factor=1.0, end_factor=0.0,
                                                               total_iters=90)],
                                            milestones=[10]),
               dict(warmup_steps=10, start_factor=0.1,
                    then="LinearLR(start_factor=1, end_factor=0, total_iters=90)"))
    sched_case("warmup_step",
               lambda o: sched.SequentialLR(o, [sched.LinearLR(o, start_factor=0.5, total_iters=5),
                                                sched.StepLR(o, step_size=20, gamma=0.5)],
                                            milestones=[5]),
               dict(warmup_steps=5, start_factor=0.5, then="StepLR(step_size=20, gamma=0.5)"))
    sched_case("warmup_exponential",
               lambda o: sched.SequentialLR(o, [sched.LinearLR(o, start_factor=0.2, total_iters=8),
                                                sched.ExponentialLR(o, gamma=0.95)],
                                            milestones=[8]),
               dict(warmup_steps=8, start_factor=0.2, then="ExponentialLR(gamma=0.95)"))
    sched_case("chained",
               lambda o: sched.ChainedScheduler([sched.ConstantLR(o, factor=0.1, total_iters=2),
                                                 sched.ExponentialLR(o, gamma=0.9)]),
               dict(schedulers="ConstantLR(factor=0.1, total_iters=2), ExponentialLR(gamma=0.9)"))
    sched_case("chained_cosine_warmup",
               lambda o: sched.ChainedScheduler([sched.CosineAnnealingLR(o, T_max=100),
                                                 sched.LinearLR(o, start_factor=0.1,
                                                                total_iters=10)]),
               dict(schedulers="CosineAnnealingLR(T_max=100), LinearLR(start_factor=0.1, "
                               "total_iters=10)"))
    sched_case("plateau", lambda o: sched.ReduceLROnPlateau(o, factor=0.5, patience=3, cooldown=2,
                                                            min_lr=[0.001, 0.01]),
               dict(mode="min", factor=0.5, patience=3, cooldown=2, min_lr=[0.001, 0.01]),
               metrics=plateau_metrics)
    sched_case("plateau_abs", lambda o: sched.ReduceLROnPlateau(o, factor=0.3, patience=5,
                                                                threshold=0.01,
                                                                threshold_mode="abs"),
               dict(mode="min", factor=0.3, patience=5, threshold=0.01, threshold_mode="abs"),
               metrics=plateau_metrics)
    sched_case("plateau_max", lambda o: sched.ReduceLROnPlateau(o, mode="max", factor=0.5,
                                                                patience=2, threshold=0.001),
               dict(mode="max", factor=0.5, patience=2, threshold=0.001),
               metrics=rising_metrics)
    sched_case("plateau_max_abs", lambda o: sched.ReduceLROnPlateau(o, mode="max", factor=0.7,
                                                                    patience=0,
                                                                    threshold_mode="abs",
                                                                    threshold=0.005, eps=1e-3),
               dict(mode="max", factor=0.7, patience=0, threshold_mode="abs", threshold=0.005,
                    eps=1e-3),
               metrics=rising_metrics)
    # A warm-up stepped alongside a plateau schedule: both scale the current lr.
    sched_case("plateau_with_warmup",
               lambda o: sched.ReduceLROnPlateau(o, factor=0.5, patience=3),
               dict(factor=0.5, patience=3, warmup="LinearLR(start_factor=0.1, total_iters=10)"),
               metrics=plateau_metrics,
               extra_step=lambda o: sched.LinearLR(o, start_factor=0.1, total_iters=10))


def run_scheduler(c):
    p0 = torch.zeros(3, requires_grad=True)
    p1 = torch.zeros(2, requires_grad=True)
    groups = [dict(params=[p0], lr=0.1), dict(params=[p1], lr=0.05)]
    if c["optimizer"] == "SGD":
        opt = torch.optim.SGD(groups, lr=0.1, momentum=0.9)
    else:
        opt = torch.optim.Adam(groups, lr=0.1)
    warmup = c["extra_step"](opt) if c["extra_step"] else None
    s = c["make"](opt)
    plateau = c["metrics"] is not None

    def last_lr():
        return [g["lr"] for g in opt.param_groups] if plateau else list(s.get_last_lr())

    def momentum():
        return [g["betas"][0] if "betas" in g else g["momentum"] for g in opt.param_groups]

    lrs, moms, metrics = [last_lr()], [momentum()], []
    for step in range(SCHED_STEPS):
        opt.step()  # PyTorch warns when a scheduler steps before its optimizer
        if plateau:
            metrics.append(c["metrics"](step))
            s.step(metrics[-1])
        else:
            s.step()
        if warmup is not None:
            warmup.step()
        lrs.append(last_lr())
        moms.append(momentum())
    tensors = {"lr": torch.tensor(lrs)}
    if isinstance(s, sched.OneCycleLR):
        tensors["momentum"] = torch.tensor(moms)
    if plateau:
        tensors["metrics"] = torch.tensor(metrics)
    write(OUT / f"sched_{c['name']}.json", {
        "case": c["name"], "module": type(s).__name__, "kwargs": c["kwargs"],
        "dtype": "float64", "mode": "train"}, tensors)


def main():
    torch.set_num_threads(1)  # one summation order, whatever the machine
    # float64 throughout, including the optimizers' scalar state (NAdam's mu_product, the step
    # counts), which PyTorch creates with the default dtype.
    torch.set_default_dtype(torch.float64)
    optimizer_cases()
    scheduler_cases()
    OUT.mkdir(exist_ok=True)
    for old in OUT.glob("*.json"):
        old.unlink()
    for c in OPT_CASES:
        run_optimizer(c)
    for c in SCHED_CASES:
        run_scheduler(c)
    total = sum(p.stat().st_size for p in OUT.glob("*.json"))
    print(f"wrote {len(OPT_CASES) + len(SCHED_CASES)} files, {total / 1e6:.2f} MB, to {OUT}")


if __name__ == "__main__":
    main()
