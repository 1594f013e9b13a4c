#!/usr/bin/python3
"""Writes the project's reference tensors and cost table from reference.py.

    /usr/bin/python3 tools/goldens/make_goldens.py            # writes testkit/src/main/resources/...
    /usr/bin/python3 tools/goldens/make_goldens.py --verify ../shared   # also checks the reference
                                                               # against an independent golden set

Needs Debian's python3-torch (and numpy); run by hand, never by the build. The tests read what it
writes: one folder per golden with weights.npz (state-dict names), input*.npy, output*.npy and
meta.json, the layout of the module specification's goldens, and costs.json with the parameter
and multiply-accumulate counts of every ResNet50 variant of the study.

Weights and inputs are random (seeded), not trained: conv and linear weights ~ N(0, 1/fan_in),
biases ~ N(0, 0.2^2), BatchNorm weight ~ U(0.5, 1.5), bias and running mean ~ N(0, 0.2^2),
running variance ~ U(0.5, 2), LayerNorm weight ~ U(0.5, 1.5) and bias ~ N(0, 0.2^2), ConvNeXt layer
scales and ACmix rates ~ U(0.25, 1), inputs ~ N(0, 1). Outputs are computed in
float64 from exactly the stored float32 values, then rounded to float32.
"""

import argparse
import json
import math
import os
import sys
import zipfile

import numpy as np
import torch
import torchvision
from torch import nn
from torchvision.models.convnext import CNBlock, CNBlockConfig

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference as R  # noqa: E402

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUT = os.path.join(ROOT, "testkit", "src", "main", "resources", "org", "attnfer", "testkit")

# name: (description, factory, hyper-parameters, cases as (name, [N, C, H, W]))
SMALL = [("main", 8, 8), ("7x5", 7, 5)]


def cases(c, sizes=SMALL):
    return [(name, [2, c, h, w]) for name, h, w in sizes]


def bottleneck(**kw):
    return lambda: R.Bottleneck(64, 32, 2, **kw)


GOLDENS = {
    "ca": ("CA (CBAM channel branch), C 64, r 16, biases", lambda: R.ChannelAttention(64), {"channels": 64}, cases(64)),
    "ca_nobias": ("CA without MLP biases", lambda: R.ChannelAttention(64, bias=False), {"channels": 64}, cases(64)),
    "se": ("SE, C 64, r 16, biases", lambda: R.SqueezeExcitation(64), {"channels": 64}, cases(64)),
    "se_nobias": ("SE without biases", lambda: R.SqueezeExcitation(64, bias=False), {"channels": 64}, cases(64)),
    "simam": ("SimAM, lambda 1e-4", R.SimAM, {}, cases(64, SMALL + [("1x1", 1, 1)])),
    "eca": ("ECA, C 64 (k 3)", lambda: R.EfficientChannelAttention(64), {"channels": 64}, cases(64)),
    "eca_c256": ("ECA, C 256 (k 5)", lambda: R.EfficientChannelAttention(256), {"channels": 256}, cases(256, [("main", 5, 5)])),
    "coord": ("Coordinate attention, C 64 (mid 8)", lambda: R.CoordinateAttention(64), {"channels": 64},
              cases(64, SMALL + [("9x4", 9, 4)])),
    "bam": ("BAM, C 64, product", lambda: R.Bam(64), {"channels": 64}, cases(64)),
    "bam_sum": ("BAM, C 64, sum", lambda: R.Bam(64, combine="sum"), {"channels": 64}, cases(64)),
    "acmix": ("ACmix 64, stride 1", lambda: R.AcMix(64, 1), {"channels": 64, "stride": 1},
              cases(64, SMALL + [("3x3", 3, 3)])),
    "acmix_s2": ("ACmix 64, stride 2", lambda: R.AcMix(64, 2), {"channels": 64, "stride": 2},
                 cases(64, SMALL + [("3x3", 3, 3)])),
    "acmix_init": ("ACmix 64 with the official rates and shift kernels", lambda: R.AcMix(64, 1),
                   {"channels": 64, "stride": 1, "official_init": True}, cases(64, SMALL[:1])),
    "spd": ("space-to-depth, C 3", R.SpaceToDepth, {}, cases(3)),
    "sc": ("SC block 3 -> 64, k 3", lambda: R.ScBlock(3, 64, 3), {}, cases(3)),
    "bottleneck_plain": ("bottleneck in 64, planes 32, stride 2", bottleneck(), {}, cases(64)),
    "bottleneck_plain_s1": ("bottleneck in 128, planes 32, stride 1", lambda: R.Bottleneck(128, 32, 1), {},
                            cases(128)),
    "bottleneck_ca": ("bottleneck, CA after bn3", bottleneck(after_bn3=["ca"]), {}, cases(64)),
    "bottleneck_se": ("bottleneck, SE after bn3", bottleneck(after_bn3=["se"]), {}, cases(64)),
    "bottleneck_eca": ("bottleneck, ECA after bn3", bottleneck(after_bn3=["eca"]), {}, cases(64)),
    "bottleneck_coord": ("bottleneck, Coord after bn3", bottleneck(after_bn3=["coord"]), {}, cases(64)),
    "bottleneck_simam": ("bottleneck, SimAM after bn3", bottleneck(after_bn3=["simam"]), {}, cases(64)),
    "bottleneck_simam_conv2": ("bottleneck, SimAM after conv2", bottleneck(simam_after_conv2=True), {}, cases(64)),
    "bottleneck_simam_ca": ("bottleneck, SimAM then CA after bn3", bottleneck(after_bn3=["simam", "ca"]), {},
                            cases(64)),
    "bottleneck_ca_simam": ("bottleneck, CA then SimAM after bn3", bottleneck(after_bn3=["ca", "simam"]), {},
                            cases(64)),
    "bottleneck_acmix": ("bottleneck, ACmix in place of conv2", bottleneck(acmix=True), {}, cases(64)),
    # whole backbones from torchvision's own definitions, at small widths so the files stay small
    "mobilenet_v2_w025": ("torchvision mobilenet_v2, width 0.25, 7 classes", lambda: mobilenet_v2(0.25),
                          {"width": 0.25}, cases(3, [("main", 64, 64), ("50x38", 50, 38)])),
    "convnext_w8": ("torchvision ConvNeXt-Tiny layout at 8-16-32-64 channels (width 1/12), 7 classes",
                    lambda: convnext(8), {"width": 1 / 12}, cases(3, [("main", 64, 64), ("50x38", 50, 38)])),
}


def mobilenet_v2(width):
    return torchvision.models.mobilenet_v2(width_mult=width, num_classes=7)


def convnext(base):
    """torchvision's convnext_tiny (depths 3-3-9-3, stochastic depth 0.1) with base channels base."""
    setting = [CNBlockConfig(base * 2 ** i, base * 2 ** (i + 1) if i < 3 else None, d)
               for i, d in enumerate([3, 3, 9, 3])]
    return torchvision.models.convnext.ConvNeXt(setting, stochastic_depth_prob=0.1, num_classes=7)


def randomise(module, gen):
    """The distributions of the module docstring, in a fixed order (state-dict order)."""
    with torch.no_grad():
        for mod in module.modules():
            if isinstance(mod, (nn.Conv1d, nn.Conv2d, nn.Linear)):
                fan_in = mod.weight[0].numel()
                mod.weight.copy_(torch.randn(mod.weight.shape, generator=gen) / math.sqrt(fan_in))
                if mod.bias is not None:
                    mod.bias.copy_(torch.randn(mod.bias.shape, generator=gen) * 0.2)
            elif isinstance(mod, (nn.BatchNorm1d, nn.BatchNorm2d)):
                n = mod.num_features
                mod.weight.copy_(torch.rand(n, generator=gen) + 0.5)
                mod.bias.copy_(torch.randn(n, generator=gen) * 0.2)
                mod.running_mean.copy_(torch.randn(n, generator=gen) * 0.2)
                mod.running_var.copy_(torch.rand(n, generator=gen) * 1.5 + 0.5)
            elif isinstance(mod, nn.LayerNorm):
                n = mod.weight.numel()
                mod.weight.copy_(torch.rand(n, generator=gen) + 0.5)
                mod.bias.copy_(torch.randn(n, generator=gen) * 0.2)
            elif isinstance(mod, CNBlock):
                mod.layer_scale.copy_(torch.rand(mod.layer_scale.shape, generator=gen) * 0.75 + 0.25)
            elif isinstance(mod, R.AcMix):
                mod.rate1.copy_(torch.rand(1, generator=gen) * 0.75 + 0.25)
                mod.rate2.copy_(torch.rand(1, generator=gen) * 0.75 + 0.25)


def state(module):
    return {k: v.detach().float().numpy() for k, v in module.state_dict().items() if not k.endswith("num_batches_tracked")}


def write_npz(path, arrays):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        for k, v in arrays.items():
            # a fixed time stamp, so that writing the same arrays again gives the same bytes
            with z.open(zipfile.ZipInfo(k + ".npy", date_time=(2026, 1, 1, 0, 0, 0)), "w") as f:
                np.lib.format.write_array(f, np.ascontiguousarray(v, dtype="<f4"), allow_pickle=False)


def read_npz(path):
    with np.load(path) as z:
        return {k: z[k] for k in z.files}


def run64(module, weights, x):
    """The module in float64 on the float32 weights and input given."""
    module = module.double().eval()
    module.load_state_dict({k: torch.from_numpy(v.astype(np.float64)) for k, v in weights.items()}, strict=False)
    with torch.no_grad():
        return module(torch.from_numpy(x.astype(np.float64))).numpy()


def trainable(module):
    return sum(p.numel() for p in module.parameters())


def make(name, seed, out_dir):
    description, factory, hyper, case_list = GOLDENS[name]
    gen = torch.Generator().manual_seed(seed)
    module = factory()
    randomise(module, gen)
    if hyper.get("official_init"):
        module.official_init()
    weights = state(module)
    folder = os.path.join(out_dir, name)
    os.makedirs(folder, exist_ok=True)
    write_npz(os.path.join(folder, "weights.npz"), weights)
    meta_cases = []
    for case, shape in case_list:
        x = torch.randn(shape, generator=gen).numpy().astype(np.float32)
        y = run64(factory(), weights, x).astype(np.float32)
        suffix = "" if case == "main" else "_" + case
        np.save(os.path.join(folder, f"input{suffix}.npy"), x)
        np.save(os.path.join(folder, f"output{suffix}.npy"), y)
        peak = float(np.abs(y).max())
        meta_cases.append({"name": case, "input": f"input{suffix}.npy", "output": f"output{suffix}.npy",
                           "input_shape": list(x.shape), "output_shape": list(y.shape), "output_max_abs": peak,
                           "suggested_atol": 1e-4 * max(1.0, peak)})
    meta = {"module": name, "description": description, "hyperparameters": hyper, "seed": seed,
            "mode": "eval (BatchNorm uses running statistics)", "dtype": "float32",
            "computed_in": "float64 from the stored float32 weights and inputs, rounded to float32",
            "param_count": trainable(module), "cases": meta_cases}
    with open(os.path.join(folder, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")
    return name


# the study's twelve variants as AttnFER model names, with the reference configuration of each
VARIANTS = {
    "resnet50": {},
    "resnet50+sc": {"sc": True},
    "resnet50+ca": {"after_bn3": ["ca"]},
    "resnet50+simam": {"after_bn3": ["simam"]},
    "resnet50+simam@bottleneck.after_conv2": {"simam_after_conv2": True},
    "resnet50+bam": {"bam": True},
    "resnet50+eca": {"after_bn3": ["eca"]},
    "resnet50+acmix": {"acmix": True},
    "resnet50+coord": {"after_bn3": ["coord"]},
    "resnet50+se": {"after_bn3": ["se"]},
    "resnet50+simam+ca": {"after_bn3": ["simam", "ca"]},
    "resnet50+ca+simam+sc": {"after_bn3": ["ca", "simam"], "sc": True},
}


def macs(model, size):
    """Multiply-accumulates for one image under the specification's counting rule."""
    total = [0]

    def count(mod, inputs, output):
        if isinstance(mod, (nn.Conv1d, nn.Conv2d)):
            total[0] += output.numel() * (mod.in_channels // mod.groups) * math.prod(mod.kernel_size)
        elif isinstance(mod, nn.Linear):
            total[0] += mod.in_features * mod.out_features
        elif isinstance(mod, R.AcMix):
            # the two attention products, and fc, which the reference applies as a product, not a module
            h, w = inputs[0].shape[2], inputs[0].shape[3]
            total[0] += 2 * output.shape[1] * mod.k_att ** 2 * output.shape[2] * output.shape[3]
            total[0] += h * w * mod.hd * 3 * mod.head * mod.k_conv ** 2

    handles = [m.register_forward_hook(count) for m in model.modules()]
    with torch.no_grad():
        model.eval()(torch.zeros(1, 3, size, size))
    for h in handles:
        h.remove()
    return total[0]


def costs():
    rows = []
    for name, config in VARIANTS.items():
        model = R.ResNet50(**config)
        rows.append({"model": name, "params": trainable(model), "macs_224": macs(model, 224), "macs_48": macs(model, 48)})
        print(f"{name:40s} {rows[-1]['params']:>12,} {rows[-1]['macs_224']:>15,} {rows[-1]['macs_48']:>13,}")
    return {"num_classes": 7, "rows": rows}


def verify(shared):
    """Runs this reference on an independent golden set (weights, inputs) and compares outputs and costs."""
    root = os.path.join(shared, "goldens")
    index = json.load(open(os.path.join(root, "index.json")))
    worst = 0.0
    for name in index:
        meta = json.load(open(os.path.join(root, name, "meta.json")))
        weights = read_npz(os.path.join(root, name, "weights.npz"))
        factory = GOLDENS[name][1]
        assert trainable(factory()) == meta["param_count"], name
        for case in meta["cases"]:
            x = np.load(os.path.join(root, name, case["input"]))
            y = np.load(os.path.join(root, name, case["output"]))
            err = float(np.abs(run64(factory(), weights, x) - y).max())
            worst = max(worst, err / case["suggested_atol"])
            status = "ok" if err <= case["suggested_atol"] else "MISMATCH"
            print(f"verify {name:24s} {case['name']:6s} max err {err:.2e} (atol {case['suggested_atol']:.1e}) {status}")
            if status != "ok":
                sys.exit(f"{name} {case['name']}: the reference differs from {root}")
    spec = json.load(open(os.path.join(shared, "spec", "costs.json")))
    ours = {r["model"]: r for r in costs()["rows"]}
    for row in spec["rows"]:
        config = row["config"]
        match = [n for n, c in VARIANTS.items() if same(c, config)]
        assert len(match) == 1, (row["model"], match)
        mine = ours[match[0]]
        for key in ("params", "macs_224", "macs_48"):
            if mine[key] != row[key]:
                sys.exit(f"costs of {row['model']}: {key} {mine[key]} here, {row[key]} in {shared}")
    print(f"verified: every golden within its tolerance (worst {worst:.3f} of it) and every cost equal")


def same(ours, theirs):
    return (list(ours.get("after_bn3", [])) == [a for a in theirs.get("attention", []) if a]
            and ours.get("sc", False) == theirs.get("sc", False)
            and ours.get("bam", False) == theirs.get("bam", False)
            and ours.get("acmix", False) == theirs.get("acmix", False)
            and ours.get("simam_after_conv2", False) == theirs.get("simam_after_conv2", False))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--verify", metavar="SHARED", help="also check the reference against SHARED/goldens and SHARED/spec")
    parser.add_argument("--out", default=OUT, help="where the goldens/ folder and costs.json go")
    args = parser.parse_args()
    torch.set_num_threads(1)
    if args.verify:
        verify(args.verify)
    goldens = os.path.join(args.out, "goldens")
    os.makedirs(goldens, exist_ok=True)
    index = {}
    for seed, name in enumerate(GOLDENS, start=2000):
        make(name, seed, goldens)
        index[name] = [c[0] for c in GOLDENS[name][3]]
    with open(os.path.join(goldens, "index.json"), "w") as f:
        json.dump(index, f, indent=1)
        f.write("\n")
    with open(os.path.join(args.out, "costs.json"), "w") as f:
        json.dump(costs(), f, indent=1)
        f.write("\n")
    print(f"wrote {len(index)} goldens and costs.json under {args.out}")


if __name__ == "__main__":
    main()
