# trace: --class Net -i 8x3x32x32
# fix: 12: nn.BatchNorm2d(64, momentum=0.01),
"""A misspelt keyword argument to a layer's constructor."""
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(3, 64, 3, padding=1, bias=False),
            nn.BatchNorm2d(64, momentun=0.01),
            nn.ReLU(inplace=True),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
            nn.Linear(64, 10),
        )

    def forward(self, x):
        return self.body(x)
