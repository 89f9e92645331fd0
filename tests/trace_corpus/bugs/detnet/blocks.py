import torch
import torch.nn as nn


class ConvBNAct(nn.Module):
    def __init__(self, c_in, c_out, k=3, s=1):
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, k, s, k // 2, bias=False)
        self.bn = nn.BatchNorm2d(c_out)
        self.act = nn.SiLU()

    def forward(self, x):
        return self.act(self.bn(self.conv(x)))


class CSPStage(nn.Module):
    def __init__(self, c_in, c_out, n=1):
        super().__init__()
        hidden = c_out // 2
        self.down = ConvBNAct(c_in, c_out, 3, 2)
        self.part1 = ConvBNAct(c_out, hidden, 1)
        self.part2 = nn.Sequential(*[ConvBNAct(c_out if i == 0 else hidden, hidden) for i in range(n)])
        self.fuse = ConvBNAct(2 * hidden, c_out, 1)

    def forward(self, x):
        x = self.down(x)
        return self.fuse(torch.cat([self.part1(x), self.part2(x)], dim=1))
