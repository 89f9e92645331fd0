# trace: --class LocalizerNet -i 4x3x96x96 --init 'num_classes=20'
"""Classification and box regression from one trunk: forward returns a tuple (logits, boxes)."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class LocalizerNet(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.conv3 = nn.Conv2d(32, 64, 3, padding=1)
        self.pool = nn.MaxPool2d(2, 2)
        self.fc = nn.Linear(64 * 12 * 12, 256)
        self.cls_head = nn.Linear(256, num_classes)
        self.box_head = nn.Linear(256, 4)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = self.pool(F.relu(self.conv3(x)))
        x = x.reshape(x.shape[0], -1)
        x = F.relu(self.fc(x))
        logits = self.cls_head(x)
        boxes = torch.sigmoid(self.box_head(x))
        return logits, boxes
