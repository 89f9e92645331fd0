# trace: --class Generator -i 16x100x1x1 --init 'ngpu=1'
"""The DCGAN generator: transposed convolutions from a 100-d noise vector to a 64x64 image."""
import random

import torch
import torch.nn as nn
import torch.optim as optim

manualSeed = 999
random.seed(manualSeed)
torch.manual_seed(manualSeed)

nc = 3      # image channels
nz = 100    # noise length
ngf = 64    # generator width
lr = 0.0002
beta1 = 0.5


def weights_init(m):
    classname = m.__class__.__name__
    if classname.find("Conv") != -1:
        nn.init.normal_(m.weight.data, 0.0, 0.02)
    elif classname.find("BatchNorm") != -1:
        nn.init.normal_(m.weight.data, 1.0, 0.02)
        nn.init.constant_(m.bias.data, 0)


class Generator(nn.Module):
    def __init__(self, ngpu):
        super(Generator, self).__init__()
        self.ngpu = ngpu
        self.main = nn.Sequential(
            # noise vector (nz x 1 x 1) -> 4x4 maps
            nn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0, bias=False),
            nn.BatchNorm2d(ngf * 8),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 8, ngf * 4, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ngf * 4),
            nn.ReLU(True),
            # 8x8
            nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ngf * 2),
            nn.ReLU(True),
            # 16x16
            nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ngf),
            nn.ReLU(True),
            # 32x32
            nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False),
            nn.Tanh(),
            # image: nc x 64 x 64
        )

    def forward(self, input):
        return self.main(input)


device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
netG = Generator(1).to(device)
netG.apply(weights_init)
print(netG)
fixed_noise = torch.randn(64, nz, 1, 1, device=device)
optimizerG = optim.Adam(netG.parameters(), lr=lr, betas=(beta1, 0.999))
