# trace: --class wrn16_4 -i 4x3x32x32
"""A Wide ResNet whose blocks come from a subpackage (`from .blocks import ...`, down) and whose
helpers come from a sibling module."""
import torch
import torch.nn as nn

from ._utils import conv3x3
from .blocks import PreActBlock


class WideResNet(nn.Module):
    def __init__(self, depth=28, widen_factor=10, num_classes=10, drop_rate=0.3):
        super().__init__()
        assert (depth - 4) % 6 == 0, "depth should be 6n+4"
        n = (depth - 4) // 6
        widths = [16, 16 * widen_factor, 32 * widen_factor, 64 * widen_factor]
        self.conv1 = conv3x3(3, widths[0])
        self.in_planes = widths[0]
        self.layer1 = self._wide_layer(widths[1], n, 1, drop_rate)
        self.layer2 = self._wide_layer(widths[2], n, 2, drop_rate)
        self.layer3 = self._wide_layer(widths[3], n, 2, drop_rate)
        self.bn = nn.BatchNorm2d(widths[3])
        self.linear = nn.Linear(widths[3], num_classes)

    def _wide_layer(self, planes, num_blocks, stride, drop_rate):
        layers = []
        for s in [stride] + [1] * (num_blocks - 1):
            layers.append(PreActBlock(self.in_planes, planes, s, drop_rate))
            self.in_planes = planes
        return nn.Sequential(*layers)

    def forward(self, x):
        out = self.conv1(x)
        out = self.layer3(self.layer2(self.layer1(out)))
        out = torch.relu(self.bn(out))
        out = nn.functional.adaptive_avg_pool2d(out, 1)
        return self.linear(out.flatten(1))


def wrn16_4(num_classes=10):
    return WideResNet(depth=16, widen_factor=4, num_classes=num_classes)
