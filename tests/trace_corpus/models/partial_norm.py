# trace: --class ConvNet -i 2x3x32x32 --init 'norm="group"'
"""Normalisation chosen by name from functools.partial factories, as configurable code bases do."""
from functools import partial

import torch.nn as nn

NORM_LAYERS = {
    "batch": partial(nn.BatchNorm2d, eps=1e-3, momentum=0.01),
    "group": partial(nn.GroupNorm, 8),
    "instance": partial(nn.InstanceNorm2d, affine=True),
}


class ConvNormAct(nn.Sequential):
    def __init__(self, in_ch, out_ch, stride=1, norm_layer=None, activation_layer=nn.ReLU):
        if norm_layer is None:
            norm_layer = nn.BatchNorm2d
        super().__init__(
            nn.Conv2d(in_ch, out_ch, 3, stride, 1, bias=False),
            norm_layer(out_ch),
            activation_layer(inplace=True),
        )


class ConvNet(nn.Module):
    def __init__(self, norm="batch", num_classes=10):
        super().__init__()
        norm_layer = NORM_LAYERS[norm]
        block = partial(ConvNormAct, norm_layer=norm_layer, activation_layer=nn.SiLU)
        self.features = nn.Sequential(
            block(3, 32),
            block(32, 64, stride=2),
            block(64, 64),
            block(64, 128, stride=2),
        )
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(128, num_classes)

    def forward(self, x):
        x = self.pool(self.features(x))
        return self.fc(x.flatten(1))
