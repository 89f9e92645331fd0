# trace: --class BoxHead -i 2x64x19x19
# fix: 20: loc = loc.permute(0, 2, 3, 1).contiguous().view(n, -1, 4)
"""An SSD-style box head that reshapes a permuted map with view: the permuted memory no
longer lines up, so PyTorch asks for reshape (or contiguous() first)."""
import torch
import torch.nn as nn


class BoxHead(nn.Module):
    def __init__(self, in_channels=64, anchors=6, num_classes=21):
        super().__init__()
        self.num_classes = num_classes
        self.loc = nn.Conv2d(in_channels, anchors * 4, kernel_size=3, padding=1)
        self.conf = nn.Conv2d(in_channels, anchors * num_classes, kernel_size=3, padding=1)

    def forward(self, x):
        n = x.size(0)
        loc = self.loc(x)
        conf = self.conf(x)
        loc = loc.permute(0, 2, 3, 1).view(n, -1, 4)
        conf = conf.permute(0, 2, 3, 1).contiguous().view(n, -1, self.num_classes)
        return loc, torch.softmax(conf, dim=-1)
