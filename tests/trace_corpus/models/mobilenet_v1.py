# trace: --class MobileNet -i 2x3x32x32
"""MobileNet v1 for 32x32 images: each step a per-channel 3x3 conv (groups = channels) then a
1x1 conv mixing channels, listed in a class-level table."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class SeparableConv(nn.Module):
    def __init__(self, cin, cout, stride=1):
        super().__init__()
        self.dw = nn.Conv2d(cin, cin, kernel_size=3, stride=stride, padding=1, groups=cin, bias=False)
        self.bn_dw = nn.BatchNorm2d(cin)
        self.pw = nn.Conv2d(cin, cout, kernel_size=1, bias=False)
        self.bn_pw = nn.BatchNorm2d(cout)

    def forward(self, x):
        x = F.relu(self.bn_dw(self.dw(x)))
        return F.relu(self.bn_pw(self.pw(x)))


class MobileNet(nn.Module):
    # a width alone keeps the size; (width, 2) halves it
    plan = [64, (128, 2), 128, (256, 2), 256, (512, 2), 512, 512, 512, 512, 512, (1024, 2), 1024]

    def __init__(self, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 32, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(32)
        steps = []
        cin = 32
        for entry in self.plan:
            cout, stride = (entry, 1) if isinstance(entry, int) else entry
            steps.append(SeparableConv(cin, cout, stride))
            cin = cout
        self.layers = nn.Sequential(*steps)
        self.linear = nn.Linear(1024, num_classes)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layers(x)
        x = F.avg_pool2d(x, 2)
        x = x.view(x.size(0), -1)
        return self.linear(x)


def check():
    print(MobileNet()(torch.randn(1, 3, 32, 32)).size())


check()
