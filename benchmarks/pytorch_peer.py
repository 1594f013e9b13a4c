#!/usr/bin/python3
"""The PyTorch eager peer of `fer bench train` and `fer bench infer`.

Same architecture (torchvision ResNet, MobileNetV2 or ConvNeXt-Tiny, 7 classes), same input, batch
and thread settings, same measurement (warm-up, then the median of timed steps). Prints one JSON object, the
fields named as `fer bench --json` names them. Needs Debian's python3-torch and
python3-torchvision; nothing is downloaded.
"""
import argparse
import json
import resource
import statistics
import time

import torch
import torchvision


def parse_shape(text):
    c, h, w = (int(v) for v in text.lower().split("x"))
    return c, h, w


def cast_convolutions(model):
    """Every convolution past the stem multiplies in bfloat16 and returns float32, as AttnFER's
    bfloat16 training convolutions do: unlike autocast, the activations between layers stay
    float32, so this measures what keeping them bfloat16 is worth."""
    bf16 = torch.bfloat16
    for m in model.modules():
        if isinstance(m, torch.nn.Conv2d) and m.in_channels > 3:
            m.forward = lambda x, m=m: m._conv_forward(
                x.to(bf16), m.weight.to(bf16), None if m.bias is None else m.bias.to(bf16)).float()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("kind", choices=["train", "infer"])
    ap.add_argument("--model", default="resnet50", choices=["resnet18", "resnet34", "resnet50", "resnet101", "mobilenet_v2", "convnext_tiny"])
    ap.add_argument("--input", default="3x48x48", help="CxHxW of one image")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--classes", type=int, default=7)
    ap.add_argument("--warmup", type=int, default=3, help="unmeasured steps first, at least")
    ap.add_argument("--warmup-seconds", type=float, default=5.0, help="unmeasured steps go on for at least this long (as fer bench)")
    ap.add_argument("--steps", type=int, default=11)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--channels-last", action="store_true", help="NHWC memory format")
    ap.add_argument("--precision", default="float32", choices=["float32", "bfloat16", "bfloat16-casts"],
                    help="arithmetic: bfloat16 is CPU autocast (as fer bench train|infer --precision bfloat16); "
                         "bfloat16-casts casts around each convolution only, activations staying float32")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(0)
    model = getattr(torchvision.models, args.model)(num_classes=args.classes)
    c, h, w = parse_shape(args.input)
    if c != 3:
        if not args.model.startswith("resnet"):
            ap.error(f"{args.model}: only 3-channel input is set up for the peer")
        model.conv1 = torch.nn.Conv2d(c, 64, kernel_size=7, stride=2, padding=3, bias=False)
    x = torch.randn(args.batch, c, h, w)
    y = torch.randint(0, args.classes, (args.batch,))
    memory = torch.channels_last if args.channels_last else torch.contiguous_format
    model = model.to(memory_format=memory)
    if args.precision == "bfloat16-casts":
        cast_convolutions(model)
    x = x.to(memory_format=memory)

    if args.kind == "train":
        model.train()
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
        loss_fn = torch.nn.CrossEntropyLoss()

        def step():
            opt.zero_grad(set_to_none=True)
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.precision == "bfloat16"):
                loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
            loss.item()
    else:
        model.eval()

        def step():
            with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.precision == "bfloat16"):
                model(x).float().numpy()

    until = time.perf_counter() + args.warmup_seconds
    done = 0
    while done < args.warmup or time.perf_counter() < until:
        step()
        done += 1
    seconds = []
    for _ in range(args.steps):
        t = time.perf_counter()
        step()
        seconds.append(time.perf_counter() - t)
    median = statistics.median(seconds)
    print(json.dumps({
        "benchmark": args.kind,
        "peer": "pytorch " + torch.__version__,
        "model": args.model,
        "input": [c, h, w],
        "batch": args.batch,
        "threads": args.threads,
        "channels_last": args.channels_last,
        "precision": args.precision,
        "seconds_per_step": {"median": median, "min": min(seconds), "max": max(seconds)},
        "images_per_second": args.batch / median,
        "peak_resident_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    }))


if __name__ == "__main__":
    main()
