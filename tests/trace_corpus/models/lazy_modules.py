# trace: --class LazyNet -i 8x3x40x40
"""Lazy layers infer their input size on the first forward: no flatten arithmetic needed."""
import torch
import torch.nn as nn


class LazyNet(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.body = nn.Sequential(
            nn.LazyConv2d(32, 3),
            nn.LazyBatchNorm2d(),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.LazyConv2d(64, 3),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.LazyLinear(128),
            nn.ReLU(),
            nn.LazyLinear(num_classes),
        )

    def forward(self, x):
        return self.body(x)


if __name__ == "__main__":
    net = LazyNet()
    net(torch.zeros(1, 3, 40, 40))  # materialise the lazy parameters before the optimizer
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
