# trace: --class VAE -i 128x1x28x28
"""A variational autoencoder for MNIST with linear layers only; forward returns the
reconstruction with the mean and log-variance of the latent code."""
from __future__ import print_function

import argparse

import torch
import torch.utils.data
from torch import nn, optim
from torch.nn import functional as F
from torchvision import datasets, transforms
from torchvision.utils import save_image

PIXELS = 28 * 28
LATENT = 20


class VAE(nn.Module):
    def __init__(self, hidden=400):
        super(VAE, self).__init__()
        self.enc = nn.Linear(PIXELS, hidden)
        self.to_mu = nn.Linear(hidden, LATENT)
        self.to_logvar = nn.Linear(hidden, LATENT)
        self.dec = nn.Linear(LATENT, hidden)
        self.out = nn.Linear(hidden, PIXELS)

    def encode(self, x):
        h = F.relu(self.enc(x))
        return self.to_mu(h), self.to_logvar(h)

    def sample(self, mu, logvar):
        return mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)

    def decode(self, z):
        return torch.sigmoid(self.out(F.relu(self.dec(z))))

    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, PIXELS))
        return self.decode(self.sample(mu, logvar)), mu, logvar


def elbo_loss(recon, x, mu, logvar):
    reconstruction = F.binary_cross_entropy(recon, x.view(-1, PIXELS), reduction="sum")
    kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return reconstruction + kl


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=10)
    args = parser.parse_args()
    data = datasets.MNIST("../data", train=True, download=True, transform=transforms.ToTensor())
    loader = torch.utils.data.DataLoader(data, batch_size=128, shuffle=True)
    model = VAE()
    opt = optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(1, args.epochs + 1):
        for batch, _ in loader:
            opt.zero_grad()
            elbo_loss(*model(batch)[:1], batch, *model(batch)[1:]).backward()
            opt.step()
        with torch.no_grad():
            save_image(model.decode(torch.randn(64, LATENT)).view(64, 1, 28, 28), f"sample_{epoch}.png")
