# trace: --class GroupedNet -i 2x32x16x16
# fix: 10: self.grouped = nn.Conv2d(32, 48, 3, padding=1, groups=8)
"""A grouped convolution whose channel counts are not multiples of the groups."""
import torch.nn as nn


class GroupedNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.grouped = nn.Conv2d(32, 48, 3, padding=1, groups=5)
        self.bn = nn.BatchNorm2d(48)
        self.act = nn.ReLU()

    def forward(self, x):
        return self.act(self.bn(self.grouped(x)))
