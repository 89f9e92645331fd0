# trace: --class PlainNet -i 4x3x48x48 --init 'depth=6, width=24'
"""A plain conv net whose layers live in an nn.ModuleList built with a comprehension."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class PlainNet(nn.Module):
    def __init__(self, depth=4, width=32, num_classes=10):
        super().__init__()
        self.inp = nn.Conv2d(3, width, 3, padding=1)
        self.convs = nn.ModuleList([nn.Conv2d(width, width, 3, padding=1) for _ in range(depth)])
        self.norms = nn.ModuleList(nn.BatchNorm2d(width) for _ in range(depth))
        self.fc = nn.Linear(width, num_classes)

    def forward(self, x):
        x = F.relu(self.inp(x))
        for i, (conv, norm) in enumerate(zip(self.convs, self.norms)):
            x = F.relu(norm(conv(x)))
            if i % 2 == 1:
                x = F.max_pool2d(x, 2)
        x = x.mean(dim=(2, 3))
        return self.fc(x)


if __name__ == "__main__":
    net = PlainNet()
    print(sum(p.numel() for p in net.parameters()))
