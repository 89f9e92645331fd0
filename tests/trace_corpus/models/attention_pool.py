# trace: --class AttnPoolNet -i 4x3x64x64
"""A conv backbone whose spatial positions are pooled by learned attention weights instead of
global average pooling."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class AttentionPool(nn.Module):
    def __init__(self, dim, hidden=64):
        super().__init__()
        self.score = nn.Sequential(nn.Linear(dim, hidden), nn.Tanh(), nn.Linear(hidden, 1))

    def forward(self, x):
        # x: (B, C, H, W) -> a sequence of H*W positions with C features each
        tokens = x.flatten(2).transpose(1, 2)           # (B, HW, C)
        weights = F.softmax(self.score(tokens), dim=1)  # (B, HW, 1)
        return (weights * tokens).sum(dim=1)            # (B, C)


class AttnPoolNet(nn.Module):
    def __init__(self, num_classes=5):
        super().__init__()
        self.backbone = nn.Sequential(
            nn.Conv2d(3, 32, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(32, 64, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(64, 128, 3, stride=2, padding=1), nn.ReLU(),
        )
        self.pool = AttentionPool(128)
        self.classifier = nn.Linear(128, num_classes)

    def forward(self, x):
        features = self.backbone(x)
        pooled = self.pool(features)
        return self.classifier(pooled)
