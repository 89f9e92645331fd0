# trace: --class TinyNet -i 8x3x20x20
# fix: 13: self.conv3 = nn.Conv2d(64, 128, kernel_size=3)
"""A 5x5 kernel on the 4x4 map that is left after two convs and two pools."""
import torch
import torch.nn as nn


class TinyNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 32, kernel_size=3)
        self.conv2 = nn.Conv2d(32, 64, kernel_size=3)
        self.conv3 = nn.Conv2d(64, 128, kernel_size=5)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(128, 10)

    def forward(self, x):
        x = self.pool(torch.relu(self.conv1(x)))
        x = self.pool(torch.relu(self.conv2(x)))
        x = torch.relu(self.conv3(x))
        x = torch.amax(x, dim=(2, 3))
        return self.fc(x)
