# trace: --class Net -i 64x1x28x28
# fix: 14: self.fc = nn.Linear(32 * 7 * 7, 10)
"""MNIST: the Linear after the flatten was sized by guesswork (32*7*7 is 1568, not 1050)."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, kernel_size=5, padding=2)
        self.conv2 = nn.Conv2d(16, 32, kernel_size=5, padding=2)
        self.fc = nn.Linear(1050, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.view(x.size(0), -1)
        return self.fc(x)


if __name__ == "__main__":
    net = Net()
    print(net(torch.randn(64, 1, 28, 28)).shape)
