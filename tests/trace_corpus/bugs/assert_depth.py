# trace: --class PreActResNet -i 2x3x32x32
# fix: 8: def __init__(self, depth=20, num_classes=10):
"""The model's own assert rejects the default depth: a ResNet for CIFAR needs 6n+2 layers."""
import torch.nn as nn


class PreActResNet(nn.Module):
    def __init__(self, depth=18, num_classes=10):
        super().__init__()
        assert (depth - 2) % 6 == 0, "depth should be 6n+2"
        n = (depth - 2) // 6
        layers = [nn.Conv2d(3, 16, 3, padding=1)]
        for _ in range(n):
            layers += [nn.BatchNorm2d(16), nn.ReLU(), nn.Conv2d(16, 16, 3, padding=1)]
        self.body = nn.Sequential(*layers)
        self.fc = nn.Linear(16, num_classes)

    def forward(self, x):
        return self.fc(self.body(x).mean(dim=(2, 3)))
