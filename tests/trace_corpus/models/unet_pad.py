# trace: --class UNet -i 1x3x100x100 --init 'n_channels=3, n_classes=5, bilinear=True'
"""A padded U-Net split into small part classes; each decoder step pads the upsampled map to
its skip's size before concatenating, so inputs of any size work."""
import logging

import torch
import torch.nn as nn
import torch.nn.functional as F

logging.basicConfig(level=logging.INFO, format="%(levelname)s: %(message)s")


class ConvPair(nn.Module):
    """Two rounds of 3x3 conv, batch norm and ReLU; the first may use a narrower width."""

    def __init__(self, cin, cout, cmid=None):
        super().__init__()
        cmid = cmid or cout
        self.body = nn.Sequential(
            nn.Conv2d(cin, cmid, kernel_size=3, padding=1, bias=False),
            nn.BatchNorm2d(cmid),
            nn.ReLU(inplace=True),
            nn.Conv2d(cmid, cout, kernel_size=3, padding=1, bias=False),
            nn.BatchNorm2d(cout),
            nn.ReLU(inplace=True),
        )

    def forward(self, x):
        return self.body(x)


class Encode(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.step = nn.Sequential(nn.MaxPool2d(2), ConvPair(cin, cout))

    def forward(self, x):
        return self.step(x)


class Decode(nn.Module):
    def __init__(self, cin, cout, bilinear=True):
        super().__init__()
        if bilinear:
            self.up = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=True)
            self.conv = ConvPair(cin, cout, cin // 2)
        else:
            self.up = nn.ConvTranspose2d(cin, cin // 2, kernel_size=2, stride=2)
            self.conv = ConvPair(cin, cout)

    def forward(self, below, skip):
        below = self.up(below)
        dh = skip.size(2) - below.size(2)
        dw = skip.size(3) - below.size(3)
        below = F.pad(below, [dw // 2, dw - dw // 2, dh // 2, dh - dh // 2])
        return self.conv(torch.cat([skip, below], dim=1))


class UNet(nn.Module):
    def __init__(self, n_channels, n_classes, bilinear=False):
        super().__init__()
        self.n_channels = n_channels
        self.n_classes = n_classes
        shrink = 2 if bilinear else 1
        self.first = ConvPair(n_channels, 16)
        self.enc1 = Encode(16, 32)
        self.enc2 = Encode(32, 64)
        self.enc3 = Encode(64, 128)
        self.enc4 = Encode(128, 256 // shrink)
        self.dec1 = Decode(256, 128 // shrink, bilinear)
        self.dec2 = Decode(128, 64 // shrink, bilinear)
        self.dec3 = Decode(64, 32 // shrink, bilinear)
        self.dec4 = Decode(32, 16, bilinear)
        self.last = nn.Conv2d(16, n_classes, kernel_size=1)

    def forward(self, x):
        s1 = self.first(x)
        s2 = self.enc1(s1)
        s3 = self.enc2(s2)
        s4 = self.enc3(s3)
        y = self.enc4(s4)
        y = self.dec1(y, s4)
        y = self.dec2(y, s3)
        y = self.dec3(y, s2)
        y = self.dec4(y, s1)
        return self.last(y)


if __name__ == "__main__":
    net = UNet(n_channels=3, n_classes=2, bilinear=False)
    logging.info(f"{net.n_channels} input channels, {net.n_classes} classes")
