# trace: --class Net -i 4x3x32x32
# fix: 21: conv_block(64, 128),
"""Stacked blocks whose channel counts do not chain: the third block expects 64 channels but
the second one makes 128."""
import torch.nn as nn


def conv_block(cin, cout, pool=True):
    layers = [nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]
    if pool:
        layers.append(nn.MaxPool2d(2))
    return nn.Sequential(*layers)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.Sequential(
            conv_block(3, 32),
            conv_block(32, 64),
            conv_block(128, 128),
            conv_block(128, 256, pool=False),
        )
        self.head = nn.Sequential(nn.AdaptiveMaxPool2d(1), nn.Flatten(), nn.Linear(256, 10))

    def forward(self, x):
        return self.head(self.blocks(x))
