# trace: --class Net -i 4x3x32x32
# fix: 11: self.pool = nn.MaxPool2d(kernel_size=2, stride=2, padding=1)
"""A max pool padded by more than half its window."""
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 16, 3)
        self.pool = nn.MaxPool2d(kernel_size=2, stride=2, padding=2)
        self.fc = nn.Linear(16 * 16 * 16, 10)

    def forward(self, x):
        x = self.pool(self.conv(x))
        return self.fc(x.flatten(1))
