# tests/golden/make_nn.py: writes the PyTorch reference fixtures for athanor's nn layers and losses.
#
# Run with Debian's python3-torch: /usr/bin/python3 tests/golden/make_nn.py
# It rewrites tests/golden/nn/<case>_<dtype>.json, one file per case and dtype (float32, float64).
# Every case runs a torch.nn module (or, for HingeLoss, a few torch ops) forward and backward and
# records, in the format described in tests/golden/README.md:
#   input, target (losses)         what the module is called with
#   grad_output                    the upstream gradient (1.0 for a scalar loss)
#   state.<key>                    the module's state_dict before the forward
#   output, grad_input, grad.<p>   PyTorch's output and the gradients of input and parameters
#   state_after.<key>              buffers after the forward (BatchNorm in train mode)
# Each case draws its values from its own seed (a hash of its name), so adding a case leaves the
# others untouched and re-running the script reproduces byte-identical files.
import json
import pathlib
import zlib

import torch
from torch import nn

OUT = pathlib.Path(__file__).resolve().parent / "nn"
DTYPES = {"float32": torch.float32, "float64": torch.float64}
CASES = []


def case(name, module, kwargs, inputs, mode="train", target=None, grad_output=None):
    """Registers a case. `inputs`/`target` are functions (generator, dtype) -> tensor; module is a
    torch.nn class constructed with **kwargs."""
    CASES.append(dict(name=name, module=module, kwargs=kwargs, inputs=inputs, mode=mode,
                      target=target, grad_output=grad_output))


def normal(*shape, scale=1.0):
    return lambda g, dtype: scale * torch.randn(shape, generator=g, dtype=dtype)


def ones(*shape):
    return lambda g, dtype: torch.ones(shape, dtype=dtype)


def uniform(low, high, *shape):
    return lambda g, dtype: low + (high - low) * torch.rand(shape, generator=g, dtype=dtype)


def classes(num_classes, *shape, ignore=None):
    """Class indices (int64); with `ignore`, the first and a middle element are set to it."""
    def make(g, dtype):
        t = torch.randint(0, num_classes, shape, generator=g)
        if ignore is not None:
            flat = t.view(-1)
            flat[0] = ignore
            flat[flat.numel() // 2] = ignore
        return t
    return make


# ---- Layers -------------------------------------------------------------------------------------

def linear():
    case("linear", nn.Linear, dict(in_features=5, out_features=3), normal(4, 5))
    case("linear_no_bias", nn.Linear, dict(in_features=5, out_features=3, bias=False),
         normal(4, 5))
    case("linear_3d", nn.Linear, dict(in_features=5, out_features=3), normal(2, 3, 5))


def conv1d():
    case("conv1d", nn.Conv1d, dict(in_channels=3, out_channels=4, kernel_size=3), normal(2, 3, 9))
    case("conv1d_stride2_pad1_dil2_groups2", nn.Conv1d,
         dict(in_channels=4, out_channels=6, kernel_size=3, stride=2, padding=1, dilation=2,
              groups=2), normal(2, 4, 11))
    case("conv1d_no_bias", nn.Conv1d,
         dict(in_channels=3, out_channels=4, kernel_size=3, padding=2, bias=False),
         normal(2, 3, 7))


def conv2d():
    case("conv2d_3x3", nn.Conv2d, dict(in_channels=3, out_channels=4, kernel_size=3),
         normal(2, 3, 6, 5))
    case("conv2d_stride2_pad1", nn.Conv2d,
         dict(in_channels=3, out_channels=4, kernel_size=3, stride=2, padding=1),
         normal(2, 3, 7, 6))
    case("conv2d_dilation2", nn.Conv2d,
         dict(in_channels=2, out_channels=3, kernel_size=3, dilation=2), normal(2, 2, 7, 6))
    case("conv2d_groups2", nn.Conv2d,
         dict(in_channels=4, out_channels=6, kernel_size=3, padding=1, groups=2),
         normal(2, 4, 5, 4))
    case("conv2d_depthwise", nn.Conv2d,
         dict(in_channels=4, out_channels=4, kernel_size=3, padding=1, groups=4),
         normal(2, 4, 5, 4))
    case("conv2d_depthwise_multiplier2", nn.Conv2d,
         dict(in_channels=3, out_channels=6, kernel_size=3, groups=3), normal(1, 3, 5, 5))
    case("conv2d_no_bias", nn.Conv2d,
         dict(in_channels=3, out_channels=4, kernel_size=3, padding=1, bias=False),
         normal(2, 3, 5, 4))
    case("conv2d_nonsquare", nn.Conv2d,
         dict(in_channels=3, out_channels=4, kernel_size=[3, 2], stride=[2, 1], padding=[1, 0]),
         normal(2, 3, 7, 5))


def pooling():
    case("max_pool2d_k2", nn.MaxPool2d, dict(kernel_size=2), normal(2, 3, 6, 6))
    case("max_pool2d_k3_s2_p1", nn.MaxPool2d, dict(kernel_size=3, stride=2, padding=1),
         normal(2, 3, 7, 6))
    case("max_pool2d_ceil_mode", nn.MaxPool2d, dict(kernel_size=2, stride=2, ceil_mode=True),
         normal(2, 2, 7, 5))
    case("max_pool2d_dilation2", nn.MaxPool2d, dict(kernel_size=2, stride=1, dilation=2),
         normal(2, 2, 6, 6))
    case("avg_pool2d_k2", nn.AvgPool2d, dict(kernel_size=2), normal(2, 3, 6, 6))
    case("avg_pool2d_k3_s2_p1", nn.AvgPool2d,
         dict(kernel_size=3, stride=2, padding=1, count_include_pad=True), normal(2, 3, 7, 6))
    case("avg_pool2d_k3_s2_p1_exclude_pad", nn.AvgPool2d,
         dict(kernel_size=3, stride=2, padding=1, count_include_pad=False), normal(2, 3, 7, 6))
    # The last window starts inside the padded input but runs past it: PyTorch divides by the
    # part inside input + padding.
    case("avg_pool2d_ceil_mode", nn.AvgPool2d,
         dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=True),
         normal(2, 2, 6, 6))
    case("avg_pool2d_k2_ceil_mode", nn.AvgPool2d, dict(kernel_size=2, ceil_mode=True),
         normal(2, 2, 7, 5))
    case("adaptive_avg_pool2d_3x2", nn.AdaptiveAvgPool2d, dict(output_size=[3, 2]),
         normal(2, 3, 7, 5))
    case("adaptive_avg_pool2d_1x1", nn.AdaptiveAvgPool2d, dict(output_size=[1, 1]),
         normal(2, 3, 7, 5))


def normalization():
    bn = dict(eps=1e-5, momentum=0.1, affine=True, track_running_stats=True)
    for mode in ("train", "eval"):
        case(f"batch_norm1d_2d_{mode}", nn.BatchNorm1d, dict(num_features=4, **bn),
             normal(6, 4, scale=2.0), mode=mode)
        case(f"batch_norm1d_3d_{mode}", nn.BatchNorm1d, dict(num_features=3, **bn),
             normal(4, 3, 5, scale=2.0), mode=mode)
        case(f"batch_norm2d_{mode}", nn.BatchNorm2d, dict(num_features=3, **bn),
             normal(2, 3, 4, 3, scale=2.0), mode=mode)
    # momentum None: the running stats become the cumulative average over num_batches_tracked.
    case("batch_norm1d_cumulative_train", nn.BatchNorm1d,
         dict(num_features=4, **{**bn, "momentum": None}), normal(6, 4, scale=2.0))
    case("batch_norm1d_no_affine_train", nn.BatchNorm1d,
         dict(num_features=4, **{**bn, "affine": False}), normal(6, 4, scale=2.0))
    case("batch_norm1d_no_affine_eval", nn.BatchNorm1d,
         dict(num_features=4, **{**bn, "affine": False}), normal(6, 4, scale=2.0), mode="eval")
    case("layer_norm_last_dim", nn.LayerNorm, dict(normalized_shape=[5], eps=1e-5),
         normal(2, 3, 5, scale=2.0))
    case("layer_norm_last_two_dims", nn.LayerNorm, dict(normalized_shape=[3, 5], eps=1e-5),
         normal(2, 3, 5, scale=2.0))
    case("layer_norm_no_affine", nn.LayerNorm,
         dict(normalized_shape=[5], eps=1e-5, elementwise_affine=False), normal(4, 5, scale=2.0))


def activations():
    x = normal(4, 6, scale=1.5)
    case("relu", nn.ReLU, {}, x)
    case("leaky_relu", nn.LeakyReLU, dict(negative_slope=0.2), x)
    case("elu", nn.ELU, dict(alpha=0.5), x)
    case("gelu", nn.GELU, dict(approximate="none"), x)
    case("gelu_tanh", nn.GELU, dict(approximate="tanh"), x)
    case("sigmoid", nn.Sigmoid, {}, x)
    case("tanh", nn.Tanh, {}, x)
    case("softmax", nn.Softmax, dict(dim=1), normal(3, 4, 5, scale=2.0))
    case("log_softmax", nn.LogSoftmax, dict(dim=1), normal(3, 4, 5, scale=2.0))
    # beta x crosses the threshold inside the input range, so both branches are exercised.
    case("softplus", nn.Softplus, dict(beta=2.0, threshold=3.0), normal(4, 6, scale=2.0))


def dropout():
    # Train mode is random: the fixture holds p and the only nonzero value an all-ones input may
    # become (1 / (1 - p), rounded to the dtype), not PyTorch's mask.
    for p in (0.25, 0.5):
        case(f"dropout_p{round(p * 100)}_train", nn.Dropout, dict(p=p), ones(8, 16))
    case("dropout_eval", nn.Dropout, dict(p=0.25), normal(4, 6), mode="eval")


# ---- Losses -------------------------------------------------------------------------------------

class HingeLoss(nn.Module):
    """Binary hinge loss of a linear SVM: max(0, 1 - y * s), y in {-1, 1}, averaged or summed."""

    def __init__(self, reduction="mean"):
        super().__init__()
        self.reduction = reduction

    def forward(self, scores, y):
        loss = torch.clamp(1 - y * scores, min=0)
        return {"none": loss, "mean": loss.mean(), "sum": loss.sum()}[self.reduction]


def signs(*shape):
    return lambda g, dtype: torch.randint(0, 2, shape, generator=g).to(dtype) * 2 - 1


def losses():
    x, t = normal(4, 5), normal(4, 5)
    for reduction in ("none", "mean", "sum"):
        case(f"mse_loss_{reduction}", nn.MSELoss, dict(reduction=reduction), x, target=t)
    case("l1_loss", nn.L1Loss, dict(reduction="mean"), x, target=t)
    for beta in (1.0, 0.5):
        case(f"smooth_l1_loss_beta{beta}", nn.SmoothL1Loss, dict(reduction="mean", beta=beta), x,
             target=t)
    for delta in (1.0, 2.0):
        case(f"huber_loss_delta{delta}", nn.HuberLoss, dict(reduction="mean", delta=delta), x,
             target=t)

    probs = uniform(0.05, 0.95, 4, 3)
    case("bce_loss_weight", nn.BCELoss, dict(reduction="mean", weight=uniform(0.5, 1.5, 3)),
         probs, target=uniform(0, 1, 4, 3))
    logits, soft = normal(4, 3, scale=2.0), uniform(0, 1, 4, 3)
    for reduction in ("none", "mean", "sum"):
        case(f"bce_with_logits_loss_{reduction}", nn.BCEWithLogitsLoss,
             dict(reduction=reduction), logits, target=soft)
    case("bce_with_logits_loss_weight", nn.BCEWithLogitsLoss,
         dict(reduction="mean", weight=uniform(0.5, 1.5, 3)), logits, target=soft)
    case("bce_with_logits_loss_pos_weight", nn.BCEWithLogitsLoss,
         dict(reduction="mean", pos_weight=uniform(0.5, 3.0, 3)), logits, target=soft)

    ce = dict(reduction="mean", ignore_index=-100, label_smoothing=0.0)
    weight = uniform(0.5, 2.0, 4)
    scores = normal(6, 4, scale=2.0)
    for reduction in ("none", "mean", "sum"):
        case(f"cross_entropy_loss_{reduction}", nn.CrossEntropyLoss,
             {**ce, "reduction": reduction}, scores, target=classes(4, 6))
    case("cross_entropy_loss_weight", nn.CrossEntropyLoss, {**ce, "weight": weight}, scores,
         target=classes(4, 6))
    case("cross_entropy_loss_label_smoothing", nn.CrossEntropyLoss,
         {**ce, "label_smoothing": 0.1}, scores, target=classes(4, 6))
    # A valid class as ignore_index, so that "ignored" cannot mean "negative".
    case("cross_entropy_loss_ignore_index", nn.CrossEntropyLoss, {**ce, "ignore_index": 2},
         scores, target=classes(4, 6, ignore=2))
    case("cross_entropy_loss_weight_smoothing_ignore", nn.CrossEntropyLoss,
         {**ce, "weight": weight, "label_smoothing": 0.1}, scores,
         target=classes(4, 6, ignore=-100))
    case("cross_entropy_loss_weight_smoothing_ignore_sum", nn.CrossEntropyLoss,
         {**ce, "weight": weight, "label_smoothing": 0.1, "reduction": "sum"}, scores,
         target=classes(4, 6, ignore=-100))
    case("cross_entropy_loss_probabilities", nn.CrossEntropyLoss, ce, scores,
         target=lambda g, dtype: torch.softmax(torch.randn(6, 4, generator=g, dtype=dtype), 1))
    case("cross_entropy_loss_4d", nn.CrossEntropyLoss, ce, normal(2, 3, 3, 2, scale=2.0),
         target=classes(3, 2, 3, 2))

    log_probs = lambda g, dtype: torch.log_softmax(2 * torch.randn(6, 4, generator=g,
                                                                   dtype=dtype), 1)
    case("nll_loss_weight", nn.NLLLoss, dict(reduction="mean", weight=weight), log_probs,
         target=classes(4, 6))
    case("nll_loss_ignore_index", nn.NLLLoss, dict(reduction="mean", ignore_index=1), log_probs,
         target=classes(4, 6, ignore=1))

    mm = normal(5, 4)
    case("multi_margin_loss_p1", nn.MultiMarginLoss, dict(p=1, margin=1.0, reduction="mean"), mm,
         target=classes(4, 5))
    case("multi_margin_loss_p2", nn.MultiMarginLoss, dict(p=2, margin=1.0, reduction="mean"), mm,
         target=classes(4, 5))
    case("multi_margin_loss_margin_weight", nn.MultiMarginLoss,
         dict(p=1, margin=0.5, weight=weight, reduction="mean"), mm, target=classes(4, 5))

    case("hinge_loss", HingeLoss, dict(reduction="mean"), normal(8, scale=1.5), target=signs(8))
    case("hinge_loss_sum", HingeLoss, dict(reduction="sum"), normal(8, scale=1.5),
         target=signs(8))


# ---- Running a case and writing its file -------------------------------------------------------

def perturb(module, g):
    """Nudges the default-initialized parameters and buffers so that none is trivially 0 or 1 (a
    BatchNorm weight of ones would hide a missing multiplication)."""
    with torch.no_grad():
        for p in module.parameters():
            p.add_(0.2 * torch.randn(p.shape, generator=g, dtype=p.dtype))
        for name, b in module.named_buffers():
            if name.endswith("running_mean"):
                b.copy_(0.5 * torch.randn(b.shape, generator=g, dtype=b.dtype))
            elif name.endswith("running_var"):
                b.copy_(0.5 + torch.rand(b.shape, generator=g, dtype=b.dtype))
            elif name.endswith("num_batches_tracked"):
                b.fill_(3)


def run(c, dtype_name):
    dtype = DTYPES[dtype_name]
    torch.set_default_dtype(dtype)
    seed = zlib.crc32(c["name"].encode())
    torch.manual_seed(seed)  # PyTorch's default initialization draws from the global generator
    g = torch.Generator().manual_seed(seed)

    # Tensor-valued kwargs (loss weights) are drawn like inputs; the module keeps them as buffers,
    # so they appear as state.<name>.
    kwargs = {k: v(g, dtype) if callable(v) else v for k, v in c["kwargs"].items()}
    module = c["module"](**kwargs)
    perturb(module, g)
    module.train(c["mode"] == "train")
    tensors = {f"state.{k}": v.detach().clone() for k, v in module.state_dict().items()}

    x = c["inputs"](g, dtype).requires_grad_()
    tensors["input"] = x.detach().clone()
    args = [x]
    if c["target"] is not None:
        target = c["target"](g, dtype)
        tensors["target"] = target
        args.append(target)
    y = module(*args)

    if c["module"] is nn.Dropout and c["mode"] == "train":
        scale = torch.tensor(1 / (1 - c["kwargs"]["p"]), dtype=dtype)
        assert set(y.unique().tolist()) <= {0.0, scale.item()}, y.unique()
        tensors["expected_nonzero"] = scale
    else:
        dy = torch.ones(()) if y.dim() == 0 else torch.randn(y.shape, generator=g, dtype=dtype)
        y.backward(dy)
        tensors["grad_output"] = dy
        tensors["output"] = y.detach()
        tensors["grad_input"] = x.grad
        for name, p in module.named_parameters():
            tensors[f"grad.{name}"] = p.grad
        if isinstance(module, nn.modules.batchnorm._BatchNorm) and c["mode"] == "train":
            tensors.update({f"state_after.{k}": v for k, v in module.named_buffers()})

    # Tensor kwargs are left out of "kwargs": they are in the tensors as state.<name>.
    kwargs_json = {k: v for k, v in c["kwargs"].items() if not callable(v)}
    write(OUT / f"{c['name']}_{dtype_name}.json", {
        "case": c["name"], "module": c["module"].__name__, "kwargs": kwargs_json,
        "dtype": dtype_name, "mode": c["mode"]}, tensors)


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
    torch.set_num_threads(1)  # one summation order, whatever the machine
    for family in (linear, conv1d, conv2d, pooling, normalization, activations, dropout, losses):
        family()
    OUT.mkdir(exist_ok=True)
    for old in OUT.glob("*.json"):
        old.unlink()
    for c in CASES:
        for dtype_name in DTYPES:
            run(c, dtype_name)
    total = sum(p.stat().st_size for p in OUT.glob("*.json"))
    print(f"wrote {2 * len(CASES)} files, {total / 1e6:.2f} MB, to {OUT}")


if __name__ == "__main__":
    main()
