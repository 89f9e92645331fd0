"""Small PyTorch model files for the trace engine's tests, written for this repository.

Each case is the text of a model file, the class (or builder) to trace, the input shapes and
constructor arguments. ``scripts/record_trace_cases.py`` runs them under PyTorch and stores
its answers in ``tests/fixtures/trace_cases.json``; the tests compare ``convcalc.trace`` with
those answers, and with PyTorch itself when it is installed.
"""

from __future__ import annotations

from typing import Any

LENET_BLITZ = """\
import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.view(-1, self.num_flat_features(x))
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x

    def num_flat_features(self, x):
        size = x.size()[1:]
        num_features = 1
        for s in size:
            num_features *= s
        return num_features


net = Net()
print(net)
"""

SEQUENTIAL = """\
from collections import OrderedDict

import torch
from torch import nn


def conv_block(cin, cout):
    return nn.Sequential(
        nn.Conv2d(cin, cout, kernel_size=3, padding=1, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class SmallVGG(nn.Module):
    def __init__(self, cfg=(32, "M", 64, "M", 128, 128, "M"), num_classes=10):
        super().__init__()
        layers = []
        channels = 3
        for v in cfg:
            if v == "M":
                layers.append(nn.MaxPool2d(2, 2))
            else:
                layers.append(conv_block(channels, v))
                channels = v
        self.features = nn.Sequential(*layers)
        self.head = nn.Sequential(OrderedDict([
            ("pool", nn.AdaptiveAvgPool2d((1, 1))),
            ("flatten", nn.Flatten()),
            ("drop", nn.Dropout(0.5)),
            ("fc", nn.Linear(channels, num_classes)),
        ]))

    def forward(self, x):
        return self.head(self.features(x))
"""

CIFAR_RESNET = """\
import torch
import torch.nn as nn
import torch.nn.functional as F


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, in_planes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.shortcut = nn.Sequential()
        if stride != 1 or in_planes != self.expansion * planes:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_planes, self.expansion * planes, 1, stride=stride, bias=False),
                nn.BatchNorm2d(self.expansion * planes),
            )

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += self.shortcut(x)
        out = F.relu(out)
        return out


class ResNet(nn.Module):
    def __init__(self, block, num_blocks, num_classes=10):
        super().__init__()
        self.in_planes = 16
        self.conv1 = nn.Conv2d(3, 16, 3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.layer1 = self._make_layer(block, 16, num_blocks[0], stride=1)
        self.layer2 = self._make_layer(block, 32, num_blocks[1], stride=2)
        self.layer3 = self._make_layer(block, 64, num_blocks[2], stride=2)
        self.linear = nn.Linear(64 * block.expansion, num_classes)
        self.apply(_weights_init)

    def _make_layer(self, block, planes, num_blocks, stride):
        strides = [stride] + [1] * (num_blocks - 1)
        layers = []
        for s in strides:
            layers.append(block(self.in_planes, planes, s))
            self.in_planes = planes * block.expansion
        return nn.Sequential(*layers)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.layer1(out)
        out = self.layer2(out)
        out = self.layer3(out)
        out = F.avg_pool2d(out, out.size()[3])
        out = out.view(out.size(0), -1)
        out = self.linear(out)
        return out


def _weights_init(m):
    if isinstance(m, (nn.Linear, nn.Conv2d)):
        nn.init.kaiming_normal_(m.weight)


def resnet20():
    return ResNet(BasicBlock, [3, 3, 3])


def resnet32():
    return ResNet(BasicBlock, [5, 5, 5])
"""

FEATURES = """\
import math
from functools import partial

import torch
import torch.nn as nn
import torch.nn.functional as F


class Gate(nn.Module):
    def __init__(self, channels, reduction=4):
        super().__init__()
        self.fc1 = nn.Conv2d(channels, channels // reduction, 1)
        self.fc2 = nn.Conv2d(channels // reduction, channels, 1)

    def forward(self, x):
        s = x.mean((2, 3), keepdim=True)
        s = torch.sigmoid(self.fc2(F.relu(self.fc1(s))))
        return x * s


class Mixer(nn.Module):
    def __init__(self, width=16, heads=2, norm=partial(nn.GroupNorm, 4)):
        super().__init__()
        self.stem = nn.Conv2d(3, width, 3, padding=1)
        half = width // 2
        self.branches = nn.ModuleList([nn.Conv2d(half, half, k, padding=k // 2) for k in (3, 5)])
        self.norms = nn.ModuleDict({"a": norm(width), "b": nn.LayerNorm(width)})
        self.gate = Gate(width)
        self.up = nn.Sequential(nn.Conv2d(width, width * 4, 3, padding=1), nn.PixelShuffle(2))
        self.shared = nn.Linear(width, width)
        self.heads = heads
        self.register_buffer("scale", torch.ones(1, width, 1, 1))
        self.proj = nn.Parameter(torch.zeros(width, 10))

    def forward(self, x):
        x = self.stem(x)
        a, b = x.chunk(2, dim=1)
        x = torch.cat([branch(part) for branch, part in zip(self.branches, (a, b))], dim=1)
        x = self.norms["a"](x) * self.scale
        x = self.gate(x)
        x = F.interpolate(x, scale_factor=0.5, mode="bilinear", align_corners=False)
        y = self.up(x)
        t = x.flatten(2).transpose(1, 2)
        t = self.norms["b"](t)
        t = self.shared(self.shared(t))
        n, length, c = t.shape
        q = t.reshape(n, length, self.heads, c // self.heads).permute(0, 2, 1, 3)
        attn = (q @ q.transpose(-2, -1)) / math.sqrt(c // self.heads)
        attn = attn.softmax(dim=-1)
        t = (attn @ q).transpose(1, 2).reshape(n, length, c)
        logits = t.mean(1) @ self.proj
        padded = F.pad(y, (1, 1, 2, 2))
        return logits, padded[:, :, 2:-2, 1:-1], torch.stack([a, b], dim=0)
"""

BUG_LINEAR = """\
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 32, 3, padding=1)
        self.fc = nn.Linear(1050, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.view(x.size(0), -1)
        return self.fc(x)
"""

BUG_GRAYSCALE = """\
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 6, 5), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Linear(6 * 14 * 14, 10)

    def forward(self, x):
        x = self.features(x)
        return self.classifier(x.flatten(1))
"""

BUG_VIEW = """\
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 32, 3, padding=1)
        self.pool = nn.MaxPool2d(4)
        self.fc = nn.Linear(400, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv(x)))
        x = x.view(-1, 400)
        return self.fc(x)
"""

BUG_KERNEL = """\
import torch.nn as nn


class Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(3, 8, 3), nn.MaxPool2d(2),
            nn.Conv2d(8, 8, 3), nn.MaxPool2d(2),
            nn.Conv2d(8, 8, 3), nn.MaxPool2d(2),
        )

    def forward(self, x):
        return self.body(x)
"""

BUG_POOL = """\
import torch.nn as nn


class Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1), nn.MaxPool2d(2),
            nn.Conv2d(8, 8, 3, padding=1), nn.MaxPool2d(2),
            nn.Conv2d(8, 8, 3, padding=1), nn.MaxPool2d(2),
        )

    def forward(self, x):
        return self.body(x)
"""

BUG_SKIP = """\
import torch
import torch.nn as nn


class UNetish(nn.Module):
    def __init__(self):
        super().__init__()
        self.down = nn.Conv2d(1, 8, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.mid = nn.Conv2d(8, 8, 3, padding=1)
        self.up = nn.ConvTranspose2d(8, 8, 2, stride=2)
        self.out = nn.Conv2d(16, 2, 1)

    def forward(self, x):
        skip = self.down(x)
        x = self.mid(self.pool(skip))
        x = self.up(x)
        x = torch.cat([x, skip], dim=1)
        return self.out(x)
"""

BUG_KEYWORD = """\
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, kernel=3)

    def forward(self, x):
        return self.conv(x)
"""

LAZY = """\
import torch.nn as nn


class LazyNet(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.LazyConv2d(16, 3, padding=1), nn.LazyBatchNorm2d(), nn.ReLU(), nn.MaxPool2d(2),
            nn.LazyConv2d(32, 3, groups=2),
        )
        self.head = nn.LazyLinear(classes)

    def forward(self, x):
        return self.head(self.features(x).flatten(1))
"""

BUG_INIT = """\
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, groups=5, stride=1, momentum=0.1, pool_padding=0):
        super().__init__()
        self.conv = nn.Conv2d(32, 48, 3, groups=groups, stride=stride, padding="same")
        self.bn = nn.BatchNorm2d(48, momentum=momentum)
        self.pool = nn.MaxPool2d(2, padding=pool_padding)

    def forward(self, x):
        return self.pool(self.bn(self.conv(x)))
"""

BUG_BROADCAST = """\
import torch.nn as nn
import torch.nn.functional as F


class FPN(nn.Module):
    def __init__(self):
        super().__init__()
        self.down = nn.Conv2d(8, 8, 3, stride=2, padding=1)
        self.lateral = nn.Conv2d(8, 8, 1)

    def forward(self, x):
        small = self.down(x)
        up = F.interpolate(small, scale_factor=2, mode="nearest")
        return up + self.lateral(x)
"""

BUG_NO_FLATTEN = """\
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.MaxPool2d(2))
        self.fc = nn.Linear(8 * 14 * 14, 10)

    def forward(self, x):
        x = self.features(x)
        return self.fc(x)
"""

TRAINING = """\
import torch.nn as nn
import torch.nn.functional as F


class WithAux(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 16, 3, padding=1)
        self.bn = nn.BatchNorm2d(16)
        self.drop = nn.Dropout2d(0.2)
        self.norm = nn.BatchNorm1d(16)
        self.head = nn.Linear(16, 10)
        self.aux = nn.Linear(16, 4)

    def forward(self, x):
        x = self.drop(F.relu(self.bn(self.stem(x))))
        v = self.norm(F.adaptive_avg_pool2d(x, 1).flatten(1))
        if self.training:
            return self.head(v), self.aux(v)
        return self.head(v)
"""

LAYOUTS = """\
import torch
import torch.nn as nn


class Layouts(nn.Module):
    def __init__(self, permute_then_view=False):
        super().__init__()
        self.conv = nn.Conv2d(4, 4, 1)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.permute_then_view = permute_then_view

    def forward(self, x):
        x = self.conv(x)
        n = x.size(0)
        a, b = x.chunk(2, dim=1)
        t = a.transpose(2, 3).contiguous().view(n, -1)
        u = b[:, :, ::2].reshape(n, -1)
        v = x.permute(0, 2, 3, 1).flatten(1)
        w = x.unsqueeze(1).expand(n, 3, *x.shape[1:]).reshape(n, -1)
        y = x[:, 0].view(n, -1)
        z = b.view(n, 2, -1)
        g = x.mean((2, 3)).view(n, 4, 1, 1)
        s = self.pool(x * g.expand_as(x)).view(n, -1)
        if self.permute_then_view:
            v = x.permute(0, 2, 3, 1).view(n, -1)
        return torch.cat([t, u, v, w, y, z.flatten(1), s], 1)
"""

ATTENTION = """\
import torch
import torch.nn as nn


class Attend(nn.Module):
    def __init__(self, heads=4):
        super().__init__()
        self.embed = nn.Linear(6, 16)
        self.self_attn = nn.MultiheadAttention(16, heads, batch_first=True)
        self.cross = nn.MultiheadAttention(16, 2, kdim=6, vdim=5, add_bias_kv=True)

    def forward(self, x, memory, values):
        h = self.embed(x)
        h, weights = self.self_attn(h, h, h, average_attn_weights=False)
        q = h.transpose(0, 1)
        c, cross_weights = self.cross(q, memory, values)
        return c, weights, cross_weights
"""

CASES: dict[str, dict[str, Any]] = {
    "lenet_blitz": {"source": LENET_BLITZ, "cls": "Net", "inputs": [[1, 1, 32, 32]]},
    "lenet_blitz_batch": {"source": LENET_BLITZ, "cls": "Net", "inputs": [[64, 1, 32, 32]]},
    "sequential_vgg": {"source": SEQUENTIAL, "cls": "SmallVGG", "inputs": [[2, 3, 32, 32]]},
    "sequential_vgg_wide": {
        "source": SEQUENTIAL,
        "cls": "SmallVGG",
        "inputs": [[1, 3, 40, 48]],
        "init": {"cfg": [16, 16, "M", 48], "num_classes": 7},
    },
    "cifar_resnet20": {"source": CIFAR_RESNET, "cls": "resnet20", "inputs": [[8, 3, 32, 32]]},
    "cifar_resnet32": {"source": CIFAR_RESNET, "cls": "resnet32", "inputs": [[1, 3, 32, 32]]},
    "features": {"source": FEATURES, "cls": "Mixer", "inputs": [[2, 3, 16, 16]]},
    "bug_linear": {"source": BUG_LINEAR, "cls": "Net", "inputs": [[64, 1, 28, 28]]},
    "bug_grayscale": {"source": BUG_GRAYSCALE, "cls": "Net", "inputs": [[4, 1, 32, 32]]},
    "bug_view": {"source": BUG_VIEW, "cls": "Net", "inputs": [[64, 1, 28, 28]]},
    "bug_kernel": {"source": BUG_KERNEL, "cls": "Tiny", "inputs": [[1, 3, 16, 16]]},
    "bug_pool": {"source": BUG_POOL, "cls": "Tiny", "inputs": [[1, 3, 4, 4]]},
    "bug_skip": {"source": BUG_SKIP, "cls": "UNetish", "inputs": [[1, 1, 25, 25]]},
    "bug_keyword": {"source": BUG_KEYWORD, "cls": "Net", "inputs": [[1, 3, 8, 8]]},
    "lazy": {"source": LAZY, "cls": "LazyNet", "inputs": [[2, 3, 12, 12]]},
    "bug_groups": {"source": BUG_INIT, "cls": "Net", "inputs": [[1, 32, 8, 8]]},
    "bug_same_stride": {
        "source": BUG_INIT,
        "cls": "Net",
        "inputs": [[1, 32, 8, 8]],
        "init": {"groups": 1, "stride": 2},
    },
    "bug_pool_padding": {
        "source": BUG_INIT,
        "cls": "Net",
        "inputs": [[1, 32, 8, 8]],
        "init": {"groups": 1, "pool_padding": 2},
    },
    "bug_no_flatten": {"source": BUG_NO_FLATTEN, "cls": "Net", "inputs": [[16, 1, 28, 28]]},
    "training": {"source": TRAINING, "cls": "WithAux", "inputs": [[2, 3, 8, 8]], "mode": "train"},
    "training_eval": {"source": TRAINING, "cls": "WithAux", "inputs": [[1, 3, 8, 8]]},
    "bug_training_batch_1": {
        "source": TRAINING,
        "cls": "WithAux",
        "inputs": [[1, 3, 8, 8]],
        "mode": "train",
    },
    "layouts": {"source": LAYOUTS, "cls": "Layouts", "inputs": [[2, 4, 6, 6]]},
    "bug_view_layout": {
        "source": LAYOUTS,
        "cls": "Layouts",
        "inputs": [[2, 4, 6, 6]],
        "init": {"permute_then_view": True},
    },
    "attention": {
        "source": ATTENTION,
        "cls": "Attend",
        "inputs": [[2, 7, 6], [9, 2, 6], [9, 2, 5]],
    },
    "bug_attention_heads": {
        "source": ATTENTION,
        "cls": "Attend",
        "inputs": [[2, 7, 6], [9, 2, 6], [9, 2, 5]],
        "init": {"heads": 3},
    },
    "bug_broadcast": {"source": BUG_BROADCAST, "cls": "FPN", "inputs": [[1, 8, 25, 25]]},
}
