# trace: --class MultiScaleNet -i 2x3x64x64
"""Features at three scales resized to one size and stacked; channels split into groups with
torch.split; squeeze/unsqueeze around a 1-D conv over the channel axis (ECA-style gate)."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class ECAGate(nn.Module):
    def __init__(self, channels, gamma=2, b=1):
        super().__init__()
        t = int(abs((math.log(channels, 2) + b) / gamma))
        k = t if t % 2 else t + 1
        self.avg_pool = nn.AdaptiveAvgPool2d(1)
        self.conv = nn.Conv1d(1, 1, kernel_size=k, padding=(k - 1) // 2, bias=False)

    def forward(self, x):
        y = self.avg_pool(x)                                   # (B, C, 1, 1)
        y = self.conv(y.squeeze(-1).transpose(-1, -2))        # (B, 1, C)
        y = y.transpose(-1, -2).unsqueeze(-1)                 # (B, C, 1, 1)
        return x * torch.sigmoid(y)


class MultiScaleNet(nn.Module):
    def __init__(self, width=48, groups=3, num_classes=10):
        super().__init__()
        self.groups = groups
        self.stem = nn.Conv2d(3, width, 3, padding=1)
        self.branches = nn.ModuleList(
            nn.Conv2d(width // groups, width // groups, 3, stride=s, padding=1) for s in (1, 2, 4)
        )
        self.gate = ECAGate(width // groups)
        self.fc = nn.Linear(width // groups * 3, num_classes)

    def forward(self, x):
        x = F.relu(self.stem(x))
        parts = torch.split(x, x.size(1) // self.groups, dim=1)
        size = parts[0].shape[-2:]
        outs = []
        for part, branch in zip(parts, self.branches):
            y = self.gate(branch(part))
            outs.append(F.interpolate(y, size=size, mode="bilinear", align_corners=False))
        stacked = torch.stack(outs, dim=1)                    # (B, 3, C/3, H, W)
        pooled = stacked.mean(dim=(-2, -1))                   # (B, 3, C/3)
        return self.fc(pooled.reshape(pooled.size(0), -1))
