# trace: --class Discriminator -i 16x3x32x32
# fix: -i 16x3x64x64
"""A DCGAN discriminator built for 64x64 images trained on 32x32 CIFAR images: after four
stride-2 convs the map is 2x2, smaller than the last 4x4 kernel."""
import torch.nn as nn

ndf = 64


class Discriminator(nn.Module):
    def __init__(self, nc=3):
        super().__init__()
        layers = [nn.Conv2d(nc, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, inplace=True)]
        mult = 1
        for _ in range(3):
            layers += [
                nn.Conv2d(ndf * mult, ndf * mult * 2, 4, 2, 1, bias=False),
                nn.BatchNorm2d(ndf * mult * 2),
                nn.LeakyReLU(0.2, inplace=True),
            ]
            mult *= 2
        layers += [nn.Conv2d(ndf * mult, 1, 4, 1, 0, bias=False), nn.Sigmoid()]
        self.main = nn.Sequential(*layers)

    def forward(self, x):
        return self.main(x).view(-1)
