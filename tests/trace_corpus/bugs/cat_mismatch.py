# trace: --class TwoBranch -i 2x3x32x32
# fix: 20: nn.Conv2d(32, 32, 3, stride=2, padding=1),
"""Two branches meant to be concatenated along the channels: one downsamples twice, the other
only once, so their sizes differ."""
import torch
import torch.nn as nn


class TwoBranch(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.left = nn.Sequential(
            nn.Conv2d(3, 32, 3, stride=2, padding=1),
            nn.ReLU(),
            nn.Conv2d(32, 32, 3, stride=2, padding=1),
        )
        self.right = nn.Sequential(
            nn.Conv2d(3, 32, 5, stride=2, padding=2),
            nn.ReLU(),
            nn.Conv2d(32, 32, 3, stride=1, padding=1),
        )
        self.fc = nn.Linear(64, num_classes)

    def forward(self, x):
        merged = torch.cat([self.left(x), self.right(x)], dim=1)
        return self.fc(merged.mean(dim=(2, 3)))
