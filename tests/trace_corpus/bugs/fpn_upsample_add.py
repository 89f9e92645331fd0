# trace: --class TinyFPN -i 1x3x100x100
# fix: 20: return lateral + F.interpolate(top, size=lateral.shape[-2:], mode="nearest")
"""A feature pyramid that doubles the coarse map with scale_factor=2 before adding it to the
finer one: fine for sizes divisible by 8, off by one for a 100x100 input."""
import torch.nn as nn
import torch.nn.functional as F


class TinyFPN(nn.Module):
    def __init__(self, out_ch=32):
        super().__init__()
        self.c2 = nn.Conv2d(3, 16, 3, stride=2, padding=1)
        self.c3 = nn.Conv2d(16, 32, 3, stride=2, padding=1)
        self.c4 = nn.Conv2d(32, 64, 3, stride=2, padding=1)
        self.lat2 = nn.Conv2d(16, out_ch, 1)
        self.lat3 = nn.Conv2d(32, out_ch, 1)
        self.lat4 = nn.Conv2d(64, out_ch, 1)

    def merge(self, top, lateral):
        return lateral + F.interpolate(top, scale_factor=2, mode="nearest")

    def forward(self, x):
        c2 = F.relu(self.c2(x))
        c3 = F.relu(self.c3(c2))
        c4 = F.relu(self.c4(c3))
        p4 = self.lat4(c4)
        p3 = self.merge(p4, self.lat3(c3))
        p2 = self.merge(p3, self.lat2(c2))
        return p2
