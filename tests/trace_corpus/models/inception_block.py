# trace: --class MiniInception -i 2x3x32x32
"""Inception-style blocks: parallel branches concatenated along the channels."""
import torch
import torch.nn as nn


class BasicConv2d(nn.Module):
    def __init__(self, in_channels, out_channels, **kwargs):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, bias=False, **kwargs)
        self.bn = nn.BatchNorm2d(out_channels, eps=0.001)

    def forward(self, x):
        return torch.relu(self.bn(self.conv(x)))


class InceptionBlock(nn.Module):
    def __init__(self, in_channels, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj):
        super().__init__()
        self.branch1 = BasicConv2d(in_channels, ch1x1, kernel_size=1)
        self.branch2 = nn.Sequential(
            BasicConv2d(in_channels, ch3x3red, kernel_size=1),
            BasicConv2d(ch3x3red, ch3x3, kernel_size=3, padding=1),
        )
        self.branch3 = nn.Sequential(
            BasicConv2d(in_channels, ch5x5red, kernel_size=1),
            BasicConv2d(ch5x5red, ch5x5, kernel_size=(5, 1), padding=(2, 0)),
            BasicConv2d(ch5x5, ch5x5, kernel_size=(1, 5), padding=(0, 2)),
        )
        self.branch4 = nn.Sequential(
            nn.MaxPool2d(kernel_size=3, stride=1, padding=1, ceil_mode=True),
            BasicConv2d(in_channels, pool_proj, kernel_size=1),
        )

    def forward(self, x):
        outputs = [self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)]
        return torch.cat(outputs, 1)


class MiniInception(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.stem = BasicConv2d(3, 64, kernel_size=3, padding=1)
        self.a = InceptionBlock(64, 32, 48, 64, 8, 16, 16)
        self.b = InceptionBlock(128, 64, 64, 96, 16, 48, 32)
        self.pool = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.c = InceptionBlock(240, 96, 48, 104, 8, 24, 32)
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.2), nn.Linear(256, num_classes))

    def forward(self, x):
        x = self.stem(x)
        x = self.b(self.a(x))
        x = self.c(self.pool(x))
        return self.head(x)
