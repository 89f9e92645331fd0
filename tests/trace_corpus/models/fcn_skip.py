# trace: --class TinyFCN -i 2x3x97x129 --init 'num_classes=21'
"""A fully convolutional segmenter: coarse scores upsampled with interpolate(size=...) to a
skip's size and summed, then to the input's size. Works for any input size."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class TinyFCN(nn.Module):
    def __init__(self, num_classes=2):
        super().__init__()
        self.stage1 = nn.Sequential(nn.Conv2d(3, 32, 3, 2, 1), nn.BatchNorm2d(32), nn.ReLU(True))
        self.stage2 = nn.Sequential(nn.Conv2d(32, 64, 3, 2, 1), nn.BatchNorm2d(64), nn.ReLU(True))
        self.stage3 = nn.Sequential(nn.Conv2d(64, 128, 3, 2, 1), nn.BatchNorm2d(128), nn.ReLU(True))
        self.score3 = nn.Conv2d(128, num_classes, 1)
        self.score2 = nn.Conv2d(64, num_classes, 1)

    def forward(self, x):
        input_shape = x.shape[-2:]
        f1 = self.stage1(x)
        f2 = self.stage2(f1)
        f3 = self.stage3(f2)
        out = self.score3(f3)
        out = F.interpolate(out, size=f2.shape[2:], mode="bilinear", align_corners=False)
        out = out + self.score2(f2)
        out = F.interpolate(out, size=input_shape, mode="bilinear", align_corners=False)
        return out
