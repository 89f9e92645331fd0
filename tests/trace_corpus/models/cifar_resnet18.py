# trace: --class ResNet18 -i 2x3x32x32
"""ResNet-18 for 32x32 images: a 3x3 stem without pooling, BasicBlocks with a 1x1 projection
shortcut where the shape changes (option B), and an argparse training script around it."""
import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.backends.cudnn as cudnn

parser = argparse.ArgumentParser(description="Train a ResNet on CIFAR-10")
parser.add_argument("--lr", default=0.1, type=float)
parser.add_argument("--resume", "-r", action="store_true", help="continue from the last checkpoint")
args = parser.parse_args()


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, cin, width, stride=1):
        super(BasicBlock, self).__init__()
        self.conv1 = nn.Conv2d(cin, width, kernel_size=3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.shortcut = nn.Sequential()
        cout = self.expansion * width
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(
                nn.Conv2d(cin, cout, kernel_size=1, stride=stride, bias=False),
                nn.BatchNorm2d(cout),
            )

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        y += self.shortcut(x)
        return F.relu(y)


class ResNet(nn.Module):
    def __init__(self, block, counts, num_classes=10):
        super(ResNet, self).__init__()
        self.channels = 64
        self.conv1 = nn.Conv2d(3, 64, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.layer1 = self.stage(block, 64, counts[0], stride=1)
        self.layer2 = self.stage(block, 128, counts[1], stride=2)
        self.layer3 = self.stage(block, 256, counts[2], stride=2)
        self.layer4 = self.stage(block, 512, counts[3], stride=2)
        self.linear = nn.Linear(512 * block.expansion, num_classes)

    def stage(self, block, width, count, stride):
        blocks = []
        for s in [stride] + [1] * (count - 1):
            blocks.append(block(self.channels, width, s))
            self.channels = width * block.expansion
        return nn.Sequential(*blocks)

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.layer4(self.layer3(self.layer2(self.layer1(y))))
        y = F.avg_pool2d(y, 4)
        y = y.view(y.size(0), -1)
        return self.linear(y)


def ResNet18():
    return ResNet(BasicBlock, [2, 2, 2, 2])


def ResNet34():
    return ResNet(BasicBlock, [3, 4, 6, 3])


device = "cuda" if torch.cuda.is_available() else "cpu"
net = ResNet18().to(device)
if device == "cuda":
    net = torch.nn.DataParallel(net)
    cudnn.benchmark = True
if args.resume:
    checkpoint = torch.load("./checkpoint/ckpt.pth")
    net.load_state_dict(checkpoint["net"])
