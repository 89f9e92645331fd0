# trace: --class Net -i 10x3x32x32
# fix: 19: x = x.view(x.size(0), -1)
"""The batch size was written into the view: the last, smaller batch of an epoch breaks it."""
import torch.nn as nn
import torch.nn.functional as F

BATCH_SIZE = 32


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 20, 5)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(20 * 14 * 14, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv(x)))
        x = x.view(BATCH_SIZE, -1)
        return self.fc(x)
