# trace: --class SensorCNN -i 32x128x9
# fix: 19: x = self.conv1(x.transpose(1, 2))
"""Accelerometer windows stored as (batch, time, features) given to Conv1d, which wants
(batch, channels, time)."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class SensorCNN(nn.Module):
    def __init__(self, n_features=9, n_classes=6):
        super().__init__()
        self.conv1 = nn.Conv1d(n_features, 64, kernel_size=5, padding=2)
        self.conv2 = nn.Conv1d(64, 64, kernel_size=5, padding=2)
        self.pool = nn.MaxPool1d(2)
        self.fc = nn.Linear(64, n_classes)

    def forward(self, x):
        x = self.conv1(x)
        x = self.pool(F.relu(x))
        x = self.pool(F.relu(self.conv2(x)))
        x = x.mean(dim=-1)
        return self.fc(x)
