# trace: --class resnet20 -i 8x3x32x32
"""The CIFAR-10 ResNets of the original paper (20 to 56 layers) with its option A shortcut:
downsample by taking every other pixel and fill the new channels with zeros."""
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.nn.init as init

__all__ = ["resnet20", "resnet32", "resnet44", "resnet56"]


def kaiming_init(m):
    if isinstance(m, (nn.Conv2d, nn.Linear)):
        init.kaiming_normal_(m.weight)


class Lambda(nn.Module):
    """Wraps a plain function as a module, so it can sit where a shortcut module goes."""

    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x)


class Block(nn.Module):
    expansion = 1

    def __init__(self, cin, cout, stride=1, option="A"):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, kernel_size=3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            if option == "A":
                extra = cout // 4  # zero channels added on each side
                self.shortcut = Lambda(
                    lambda x: F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, extra, extra), "constant", 0)
                )
            else:
                self.shortcut = nn.Sequential(
                    nn.Conv2d(cin, cout, kernel_size=1, stride=stride, bias=False),
                    nn.BatchNorm2d(cout),
                )

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        y += self.shortcut(x)
        return F.relu(y)


class CifarResNet(nn.Module):
    def __init__(self, block, depths, num_classes=10):
        super().__init__()
        self.cin = 16
        self.conv1 = nn.Conv2d(3, 16, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.layer1 = self._stage(block, 16, depths[0], stride=1)
        self.layer2 = self._stage(block, 32, depths[1], stride=2)
        self.layer3 = self._stage(block, 64, depths[2], stride=2)
        self.linear = nn.Linear(64, num_classes)
        self.apply(kaiming_init)

    def _stage(self, block, cout, depth, stride):
        blocks = []
        for s in [stride] + [1] * (depth - 1):
            blocks.append(block(self.cin, cout, s))
            self.cin = cout * block.expansion
        return nn.Sequential(*blocks)

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.layer3(self.layer2(self.layer1(y)))
        y = F.avg_pool2d(y, y.size()[3])
        y = y.view(y.size(0), -1)
        return self.linear(y)


def resnet20():
    return CifarResNet(Block, [3, 3, 3])


def resnet32():
    return CifarResNet(Block, [5, 5, 5])


def resnet44():
    return CifarResNet(Block, [7, 7, 7])


def resnet56():
    return CifarResNet(Block, [9, 9, 9])


def count_trainable(net):
    return sum(p.numel() for p in net.parameters() if p.requires_grad)


if __name__ == "__main__":
    for name in __all__:
        print(name, count_trainable(globals()[name]()))
