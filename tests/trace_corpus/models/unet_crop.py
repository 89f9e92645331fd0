# trace: --class UNet -i 1x1x572x572 --init 'base=8'
"""The original U-Net: unpadded convolutions, so each skip is center-cropped before the cat."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class DoubleConv(nn.Module):
    def __init__(self, in_ch, out_ch):
        super().__init__()
        self.conv1 = nn.Conv2d(in_ch, out_ch, kernel_size=3)
        self.conv2 = nn.Conv2d(out_ch, out_ch, kernel_size=3)

    def forward(self, x):
        return F.relu(self.conv2(F.relu(self.conv1(x))))


def center_crop(skip, target):
    _, _, h, w = skip.shape
    th, tw = target.shape[2], target.shape[3]
    top = (h - th) // 2
    left = (w - tw) // 2
    return skip[:, :, top:top + th, left:left + tw]


class UNet(nn.Module):
    def __init__(self, in_channels=1, n_classes=2, base=64):
        super().__init__()
        chs = [base, base * 2, base * 4, base * 8, base * 16]
        self.downs = nn.ModuleList()
        prev = in_channels
        for c in chs:
            self.downs.append(DoubleConv(prev, c))
            prev = c
        self.pool = nn.MaxPool2d(2)
        self.ups = nn.ModuleList()
        self.up_convs = nn.ModuleList()
        for c in reversed(chs[:-1]):
            self.ups.append(nn.ConvTranspose2d(c * 2, c, kernel_size=2, stride=2))
            self.up_convs.append(DoubleConv(c * 2, c))
        self.out = nn.Conv2d(base, n_classes, kernel_size=1)

    def forward(self, x):
        skips = []
        for i, down in enumerate(self.downs):
            x = down(x)
            if i < len(self.downs) - 1:
                skips.append(x)
                x = self.pool(x)
        for up, conv, skip in zip(self.ups, self.up_convs, reversed(skips)):
            x = up(x)
            x = torch.cat([center_crop(skip, x), x], dim=1)
            x = conv(x)
        return self.out(x)


if __name__ == "__main__":
    model = UNet()
    print(model(torch.rand(1, 1, 572, 572)).shape)  # torch.Size([1, 2, 388, 388])
