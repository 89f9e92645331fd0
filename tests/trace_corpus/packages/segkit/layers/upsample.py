import torch
import torch.nn as nn
import torch.nn.functional as F

from .conv import DoubleConv


class UpBlock(nn.Module):
    """Upsample to the skip's size, concatenate, convolve."""

    def __init__(self, in_ch, skip_ch, out_ch):
        super().__init__()
        self.reduce = nn.Conv2d(in_ch, in_ch // 2, kernel_size=1)
        self.conv = DoubleConv(in_ch // 2 + skip_ch, out_ch)

    def forward(self, x, skip):
        x = F.interpolate(self.reduce(x), size=skip.shape[-2:], mode="bilinear", align_corners=False)
        return self.conv(torch.cat([x, skip], dim=1))
