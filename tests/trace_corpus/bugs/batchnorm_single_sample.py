# trace: --class Embedder -i 1x3x64x64 --mode train
# fix: -i 2x3x64x64
"""Training with a batch of one: BatchNorm1d after the pooled features has a single value
per channel to normalise."""
import torch.nn as nn


class Embedder(nn.Module):
    def __init__(self, dim=128):
        super().__init__()
        self.backbone = nn.Sequential(
            nn.Conv2d(3, 32, 3, stride=2, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.Conv2d(32, 64, 3, stride=2, padding=1), nn.BatchNorm2d(64), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        )
        self.project = nn.Sequential(nn.Linear(64, dim), nn.BatchNorm1d(dim))

    def forward(self, x):
        return self.project(self.backbone(x))
