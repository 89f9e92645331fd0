# trace: --class AuxNet -i 4x3x32x32 --mode train
"""A network with an auxiliary classifier used only while training: in train mode forward
returns (main, aux), in eval mode the main logits alone."""
import torch
import torch.nn as nn


class AuxNet(nn.Module):
    def __init__(self, num_classes=10, aux_weight=0.4):
        super().__init__()
        self.aux_weight = aux_weight
        self.block1 = nn.Sequential(nn.Conv2d(3, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU())
        self.block2 = nn.Sequential(nn.Conv2d(32, 64, 3, stride=2, padding=1), nn.BatchNorm2d(64), nn.ReLU())
        self.block3 = nn.Sequential(nn.Conv2d(64, 128, 3, stride=2, padding=1), nn.BatchNorm2d(128), nn.ReLU())
        self.aux = nn.Sequential(
            nn.AdaptiveAvgPool2d(4), nn.Flatten(), nn.Linear(64 * 16, 128), nn.ReLU(), nn.Dropout(0.7),
            nn.Linear(128, num_classes),
        )
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(128, num_classes))

    def forward(self, x):
        x = self.block1(x)
        x = self.block2(x)
        aux = self.aux(x) if self.training else None
        x = self.head(self.block3(x))
        if self.training:
            return x, aux
        return x
