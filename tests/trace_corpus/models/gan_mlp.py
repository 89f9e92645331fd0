# trace: --class Generator -i 64x100
"""A fully connected GAN generator: each hidden step is returned as a list of layers and
unpacked into one Sequential; the image shape is a module-level constant and the output is
reshaped with view(n, *shape)."""
import argparse
import os

import numpy as np
import torch
import torch.nn as nn

os.makedirs("images", exist_ok=True)

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=200)
parser.add_argument("--z-dim", type=int, default=100)
opt = parser.parse_args()

Z_DIM = 100
IMAGE_SHAPE = (1, 28, 28)


def hidden_step(n_in, n_out, batch_norm=True):
    step = [nn.Linear(n_in, n_out)]
    if batch_norm:
        step.append(nn.BatchNorm1d(n_out, 0.8))
    step.append(nn.LeakyReLU(0.2, inplace=True))
    return step


class Generator(nn.Module):
    def __init__(self):
        super(Generator, self).__init__()
        self.net = nn.Sequential(
            *hidden_step(Z_DIM, 128, batch_norm=False),
            *hidden_step(128, 256),
            *hidden_step(256, 512),
            *hidden_step(512, 1024),
            nn.Linear(1024, 28 * 28),
            nn.Tanh(),
        )

    def forward(self, z):
        flat = self.net(z)
        return flat.view(flat.size(0), *IMAGE_SHAPE)


class Critic(nn.Module):
    def __init__(self):
        super(Critic, self).__init__()
        self.net = nn.Sequential(
            nn.Flatten(), nn.Linear(784, 512), nn.LeakyReLU(0.2, inplace=True), nn.Linear(512, 1)
        )

    def forward(self, image):
        return self.net(image)


generator = Generator()
critic = Critic()
for epoch in range(opt.epochs):
    z = torch.tensor(np.random.normal(0, 1, (64, opt.z_dim)), dtype=torch.float32)
    fake = generator(z)
