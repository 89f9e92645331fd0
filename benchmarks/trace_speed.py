"""How fast ``convcalc trace`` is: against ``convcalc net lenet``, and on a larger file.

    python benchmarks/trace_speed.py             # 30 rounds
    python benchmarks/trace_speed.py --rounds 60

In one run it times, interleaved round by round:

* ``convcalc net lenet`` (the built-in LeNet spec) against ``convcalc trace lenet.py -i
  64x1x28x28`` on the same network written as a PyTorch module, and prints the ratio of the
  medians (the target is at most 1.3);
* a 300-line model file with ten classes (blocks, stages, an encoder-decoder with skips),
  traced in a fresh interpreter: the time of the ``convcalc.trace`` call itself, beyond
  start-up (the target is at most 100 ms), and of a second trace of the same file in that
  process.

Bytecode for convcalc is compiled first, as ``pip install`` does. A benchmark, not a test: the
numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import compile_convcalc, convcalc_command, run

LENET = """\
import torch.nn as nn


class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 20, 5)
        self.relu1 = nn.ReLU()
        self.pool1 = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(20, 50, 5)
        self.relu2 = nn.ReLU()
        self.pool2 = nn.MaxPool2d(2)
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(800, 500)
        self.relu3 = nn.ReLU()
        self.fc2 = nn.Linear(500, 10)

    def forward(self, x):
        x = self.pool1(self.relu1(self.conv1(x)))
        x = self.pool2(self.relu2(self.conv2(x)))
        x = self.flatten(x)
        x = self.relu3(self.fc1(x))
        return self.fc2(x)
"""

LARGE = '''\
"""A made-up encoder-decoder with residual stages, for timing the tracer."""

import math
from functools import partial

import torch
import torch.nn as nn
import torch.nn.functional as F

WIDTHS = (16, 32, 64, 128)
DEPTHS = (1, 2, 2, 1)


class ConvUnit(nn.Module):
    """Convolution, batch norm and SiLU."""

    def __init__(self, cin, cout, k=3, stride=1, groups=1, act=True):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False)
        self.bn = nn.BatchNorm2d(cout)
        self.act = nn.SiLU() if act else nn.Identity()

    def forward(self, x):
        x = self.conv(x)
        x = self.bn(x)
        return self.act(x)


class Gate(nn.Module):
    """Squeeze-and-excitation."""

    def __init__(self, channels, ratio=0.25):
        super().__init__()
        hidden = max(8, int(channels * ratio))
        self.reduce = nn.Conv2d(channels, hidden, 1)
        self.expand = nn.Conv2d(hidden, channels, 1)

    def forward(self, x):
        s = F.adaptive_avg_pool2d(x, 1)
        s = F.silu(self.reduce(s))
        s = torch.sigmoid(self.expand(s))
        return x * s


class Residual(nn.Module):
    """An inverted residual block with a gate."""

    def __init__(self, cin, cout, stride=1, expand=4):
        super().__init__()
        mid = cin * expand
        self.use_skip = stride == 1 and cin == cout
        layers = [ConvUnit(cin, mid, 1)]
        layers.append(ConvUnit(mid, mid, 3, stride, groups=mid))
        layers.append(Gate(mid))
        layers.append(ConvUnit(mid, cout, 1, act=False))
        self.body = nn.Sequential(*layers)

    def forward(self, x):
        out = self.body(x)
        if self.use_skip:
            out = out + x
        return out


class Down(nn.Module):
    """A stage that halves the resolution."""

    def __init__(self, cin, cout, depth):
        super().__init__()
        blocks = [Residual(cin, cout, stride=2)]
        for _ in range(depth - 1):
            blocks.append(Residual(cout, cout))
        self.blocks = nn.ModuleList(blocks)

    def forward(self, x):
        for block in self.blocks:
            x = block(x)
        return x


class Up(nn.Module):
    """A stage that doubles the resolution and merges a skip."""

    def __init__(self, cin, skip, cout):
        super().__init__()
        self.up = nn.ConvTranspose2d(cin, cin // 2, 2, stride=2)
        self.merge = ConvUnit(cin // 2 + skip, cout)
        self.refine = Residual(cout, cout)

    def forward(self, x, skip):
        x = self.up(x)
        dy = skip.size(2) - x.size(2)
        dx = skip.size(3) - x.size(3)
        x = F.pad(x, [dx // 2, dx - dx // 2, dy // 2, dy - dy // 2])
        x = torch.cat([skip, x], dim=1)
        x = self.merge(x)
        return self.refine(x)


class Encoder(nn.Module):
    """The stem and the down stages; returns every stage's output."""

    def __init__(self, widths=WIDTHS, depths=DEPTHS):
        super().__init__()
        self.stem = ConvUnit(3, widths[0], 3, 1)
        stages = []
        for i in range(1, len(widths)):
            stages.append(Down(widths[i - 1], widths[i], depths[i]))
        self.stages = nn.ModuleList(stages)

    def forward(self, x):
        x = self.stem(x)
        features = [x]
        for stage in self.stages:
            x = stage(x)
            features.append(x)
        return features


class Decoder(nn.Module):
    """Up stages back to the stem's resolution."""

    def __init__(self, widths=WIDTHS):
        super().__init__()
        ups = []
        for i in range(len(widths) - 1, 0, -1):
            ups.append(Up(widths[i], widths[i - 1], widths[i - 1]))
        self.ups = nn.ModuleList(ups)

    def forward(self, features):
        x = features[-1]
        for up, skip in zip(self.ups, reversed(features[:-1])):
            x = up(x, skip)
        return x


class AttentionPool(nn.Module):
    """Attention pooling of the deepest features into one vector."""

    def __init__(self, channels, heads=4):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(channels, 3 * channels)
        self.proj = nn.Linear(channels, channels)
        self.norm = nn.LayerNorm(channels)

    def forward(self, x):
        n, c, h, w = x.shape
        t = self.norm(x.flatten(2).transpose(1, 2))
        q, k, v = self.qkv(t).chunk(3, dim=-1)
        q = q.reshape(n, h * w, self.heads, c // self.heads).transpose(1, 2)
        k = k.reshape(n, h * w, self.heads, c // self.heads).transpose(1, 2)
        v = v.reshape(n, h * w, self.heads, c // self.heads).transpose(1, 2)
        attn = (q @ k.transpose(-2, -1)) / math.sqrt(c // self.heads)
        attn = attn.softmax(dim=-1)
        out = (attn @ v).transpose(1, 2).reshape(n, h * w, c)
        return self.proj(out.mean(dim=1))


class Head(nn.Module):
    """Segmentation logits and a classification from the pooled vector."""

    def __init__(self, channels, pooled, classes, labels):
        super().__init__()
        self.segment = nn.Conv2d(channels, classes, 1)
        self.classify = nn.Sequential(nn.Dropout(0.2), nn.Linear(pooled, labels))

    def forward(self, x, vector):
        return self.segment(x), self.classify(vector)


class SegNet(nn.Module):
    """Encoder, decoder, attention pooling and two heads."""

    def __init__(self, classes=5, labels=10, widths=WIDTHS, depths=DEPTHS):
        super().__init__()
        self.encoder = Encoder(widths, depths)
        self.decoder = Decoder(widths)
        self.pool = AttentionPool(widths[-1])
        self.head = Head(widths[0], widths[-1], classes, labels)
        self.apply(self._init)

    @staticmethod
    def _init(m):
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out")
        elif isinstance(m, (nn.BatchNorm2d, nn.LayerNorm)):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Linear):
            nn.init.trunc_normal_(m.weight, std=0.02)

    def forward(self, x):
        features = self.encoder(x)
        decoded = self.decoder(features)
        vector = self.pool(features[-1])
        mask, label = self.head(decoded, vector)
        return mask, label


def segnet_small(**kwargs):
    return SegNet(widths=(8, 16, 32, 64), **kwargs)


make_tiny = partial(SegNet, widths=(8, 8, 16, 16), depths=(1, 1, 1, 1))


def make_divisible(value, divisor=8, min_value=None):
    """Round a width to a multiple of ``divisor``, never more than 10% down."""
    min_value = min_value or divisor
    rounded = max(min_value, int(value + divisor / 2) // divisor * divisor)
    if rounded < 0.9 * value:
        rounded += divisor
    return rounded


def scaled_widths(multiplier=1.0, base=WIDTHS):
    """Widths scaled by ``multiplier`` and rounded to multiples of 8."""
    return tuple(make_divisible(w * multiplier) for w in base)


def count_parameters(model, trainable_only=True):
    """Parameters of ``model`` (the trainable ones by default)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def freeze(module):
    """Stop the gradients of every parameter of ``module``."""
    for p in module.parameters():
        p.requires_grad_(False)
    return module


def segnet_wide(classes=5, labels=10):
    """A wider variant, 1.5 times the channels."""
    return SegNet(classes, labels, widths=scaled_widths(1.5))


def segnet_frozen_encoder(**kwargs):
    """The model with a frozen encoder, for fine-tuning the decoder only."""
    model = SegNet(**kwargs)
    freeze(model.encoder)
    return model


def dice_loss(logits, target, eps=1.0):
    """Soft Dice loss over the classes of a segmentation."""
    probs = logits.softmax(dim=1)
    inter = (probs * target).sum(dim=(2, 3))
    union = probs.sum(dim=(2, 3)) + target.sum(dim=(2, 3))
    return 1 - ((2 * inter + eps) / (union + eps)).mean()


def summary_line(model, shape=(1, 3, 96, 96)):
    """One line describing the model: its class, its input and its parameter count."""
    name = type(model).__name__
    return f"{name} on {list(shape)}: {count_parameters(model, False):,} parameters"


def export_onnx(model, path="segnet.onnx", shape=(1, 3, 96, 96)):
    """Export the model to ONNX with a dynamic batch dimension."""
    model.eval()
    example = torch.randn(*shape)
    torch.onnx.export(
        model,
        example,
        path,
        input_names=["image"],
        output_names=["mask", "label"],
        dynamic_axes={"image": {0: "batch"}, "mask": {0: "batch"}, "label": {0: "batch"}},
    )
    return path


def train(model, loader, epochs=100, lr=1e-3):
    """The training loop (never run by convcalc)."""
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr)
    for epoch in range(epochs):
        for images, masks, labels in loader:
            mask_logits, label_logits = model(images)
            loss = dice_loss(mask_logits, masks) + F.cross_entropy(label_logits, labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch}: {loss.item():.4f}")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--wide", action="store_true")
    args = parser.parse_args()
    model = segnet_wide() if args.wide else SegNet()
    print(model)
    print(f"{count_parameters(model):,} trainable parameters")
    dataset = torch.utils.data.TensorDataset(
        torch.randn(64, 3, 96, 96), torch.rand(64, 5, 96, 96), torch.randint(0, 10, (64,))
    )
    loader = torch.utils.data.DataLoader(dataset, batch_size=8, shuffle=True)
    train(model, loader, args.epochs)
    torch.save(model.state_dict(), "segnet.pt")
'''

PROBE = """\
import sys, time, json
import convcalc.trace
times = []
for _ in range(2):
    wall, cpu = time.perf_counter(), time.process_time()
    convcalc.trace.trace(sys.argv[1], cls="SegNet", inputs=[(2, 3, 96, 96)])
    times += [time.perf_counter() - wall, time.process_time() - cpu]
print(json.dumps(times))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()

    compile_convcalc()
    command = convcalc_command()
    with tempfile.TemporaryDirectory() as tmp:
        lenet = Path(tmp) / "lenet.py"
        lenet.write_text(LENET, encoding="utf-8")
        large = Path(tmp) / "segnet.py"
        large.write_text(LARGE, encoding="utf-8")
        lines = LARGE.count("\n")
        classes = LARGE.count("\nclass ")
        cases = {
            "convcalc net lenet": [*command, "net", "lenet"],
            "convcalc trace lenet.py": [*command, "trace", str(lenet), "-i", "64x1x28x28"],
        }
        for argv in cases.values():  # warm the file cache
            run(argv)
        wall: dict[str, list[float]] = {name: [] for name in cases}
        cpu: dict[str, list[float]] = {name: [] for name in cases}
        probes: list[list[float]] = []
        for _ in range(args.rounds):
            for name, argv in cases.items():
                w, c, _ = run(argv)
                wall[name].append(w)
                cpu[name].append(c)
            out = subprocess.run(
                [sys.executable, "-c", PROBE, str(large)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            probes.append(json.loads(out))
    print(f"{'':<28}{'wall (median)':>16}{'CPU (median)':>16}")
    for name in cases:
        print(
            f"{name:<28}{statistics.median(wall[name]) * 1000:>13.0f} ms"
            f"{statistics.median(cpu[name]) * 1000:>13.0f} ms"
        )
    net, traced = cases
    wall_ratio = statistics.median(wall[traced]) / statistics.median(wall[net])
    cpu_ratio = statistics.median(cpu[traced]) / statistics.median(cpu[net])
    print(f"trace / net: {wall_ratio:.2f}x wall, {cpu_ratio:.2f}x CPU (target <= 1.3x)")
    first_wall, first_cpu, again_wall, again_cpu = (
        statistics.median(p[i] for p in probes) * 1000 for i in range(4)
    )
    print(
        f"{lines}-line file, {classes} classes, traced beyond start-up (target <= 100 ms): "
        f"first {first_wall:.0f} ms wall, {first_cpu:.0f} ms CPU; again {again_wall:.0f} ms "
        f"wall, {again_cpu:.0f} ms CPU"
    )


if __name__ == "__main__":
    main()
