# trace: --class Generator -i 64x100
"""A fully connected GAN generator: blocks returned as lists and unpacked into one Sequential,
the image shape a module-level constant, the output reshaped with view(*shape)."""
import argparse
import os

import numpy as np
import torch
import torch.nn as nn

os.makedirs("images", exist_ok=True)

parser = argparse.ArgumentParser()
parser.add_argument("--n_epochs", type=int, default=200, help="number of epochs of training")
parser.add_argument("--latent_dim", type=int, default=100, help="dimensionality of the latent space")
opt = parser.parse_args()

latent_dim = 100
img_shape = (1, 28, 28)


class Generator(nn.Module):
    def __init__(self):
        super(Generator, self).__init__()

        def block(in_feat, out_feat, normalize=True):
            layers = [nn.Linear(in_feat, out_feat)]
            if normalize:
                layers.append(nn.BatchNorm1d(out_feat, 0.8))
            layers.append(nn.LeakyReLU(0.2, inplace=True))
            return layers

        self.model = nn.Sequential(
            *block(latent_dim, 128, normalize=False),
            *block(128, 256),
            *block(256, 512),
            *block(512, 1024),
            nn.Linear(1024, 784),
            nn.Tanh(),
        )

    def forward(self, z):
        img = self.model(z)
        img = img.view(img.size(0), *img_shape)
        return img


class Discriminator(nn.Module):
    def __init__(self):
        super(Discriminator, self).__init__()
        self.model = nn.Sequential(
            nn.Flatten(),
            nn.Linear(784, 512),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Linear(512, 1),
            nn.Sigmoid(),
        )

    def forward(self, img):
        return self.model(img)


generator = Generator()
discriminator = Discriminator()
adversarial_loss = torch.nn.BCELoss()
for epoch in range(opt.n_epochs):
    z = torch.tensor(np.random.normal(0, 1, (64, opt.latent_dim)), dtype=torch.float32)
    gen_imgs = generator(z)
