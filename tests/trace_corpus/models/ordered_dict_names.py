# trace: --class DenseStack -i 2x3x32x32
"""Named layers through OrderedDict and add_module in a loop, as older model files do."""
from collections import OrderedDict

import torch
import torch.nn as nn


class DenseLayer(nn.Sequential):
    def __init__(self, num_input_features, growth_rate, bn_size):
        super().__init__()
        self.add_module("norm1", nn.BatchNorm2d(num_input_features))
        self.add_module("relu1", nn.ReLU(inplace=True))
        self.add_module("conv1", nn.Conv2d(num_input_features, bn_size * growth_rate, 1, bias=False))
        self.add_module("norm2", nn.BatchNorm2d(bn_size * growth_rate))
        self.add_module("relu2", nn.ReLU(inplace=True))
        self.add_module("conv2", nn.Conv2d(bn_size * growth_rate, growth_rate, 3, padding=1, bias=False))

    def forward(self, x):
        new_features = super().forward(x)
        return torch.cat([x, new_features], 1)


class DenseStack(nn.Module):
    def __init__(self, growth_rate=16, num_layers=4, bn_size=2, num_classes=10):
        super().__init__()
        self.stem = nn.Sequential(OrderedDict([
            ("conv0", nn.Conv2d(3, 2 * growth_rate, kernel_size=3, padding=1, bias=False)),
            ("norm0", nn.BatchNorm2d(2 * growth_rate)),
            ("relu0", nn.ReLU(inplace=True)),
            ("pool0", nn.MaxPool2d(kernel_size=3, stride=2, padding=1)),
        ]))
        self.block = nn.Sequential()
        channels = 2 * growth_rate
        for i in range(num_layers):
            self.block.add_module("denselayer%d" % (i + 1), DenseLayer(channels, growth_rate, bn_size))
            channels += growth_rate
        self.norm = nn.BatchNorm2d(channels)
        self.classifier = nn.Linear(channels, num_classes)

    def forward(self, x):
        features = self.block(self.stem(x))
        out = torch.relu(self.norm(features))
        out = nn.functional.adaptive_avg_pool2d(out, (1, 1))
        out = torch.flatten(out, 1)
        return self.classifier(out)
