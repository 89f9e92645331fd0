# trace: --class DeepPoolNet -i 4x1x12x12
# fix: -i 4x1x32x32
"""Four 2x2 max pools need at least 16 pixels: a 12x12 patch shrinks to nothing."""
import torch.nn as nn


class DeepPoolNet(nn.Module):
    def __init__(self, widths=(32, 64, 128, 256), num_classes=10):
        super().__init__()
        layers = []
        cin = 1
        for w in widths:
            layers += [nn.Conv2d(cin, w, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)]
            cin = w
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(cin, num_classes)

    def forward(self, x):
        x = self.features(x)
        return self.fc(self.pool(x).flatten(1))
