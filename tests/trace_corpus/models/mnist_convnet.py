# trace: --class Net -i 64x1x28x28
"""A digit classifier with a command-line training script: two 3x3 convs, one pool, dropout,
then two linear layers ending in log-probabilities."""
import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.optim.lr_scheduler import StepLR
from torchvision import datasets, transforms


class Net(nn.Module):
    def __init__(self, hidden=128, classes=10):
        super().__init__()
        self.conv_a = nn.Conv2d(1, 32, 3, 1)
        self.conv_b = nn.Conv2d(32, 64, 3, 1)
        self.drop_features = nn.Dropout(0.25)
        self.drop_hidden = nn.Dropout(0.5)
        self.hidden = nn.Linear(64 * 12 * 12, hidden)
        self.logits = nn.Linear(hidden, classes)

    def forward(self, x):
        x = F.relu(self.conv_a(x))
        x = F.relu(self.conv_b(x))
        x = F.max_pool2d(x, 2)
        x = self.drop_features(x)
        x = torch.flatten(x, 1)
        x = F.relu(self.hidden(x))
        x = self.drop_hidden(x)
        x = self.logits(x)
        return F.log_softmax(x, dim=1)


def run_epoch(model, loader, optimizer, epoch, log_every):
    model.train()
    for step, (images, targets) in enumerate(loader):
        optimizer.zero_grad()
        loss = F.nll_loss(model(images), targets)
        loss.backward()
        optimizer.step()
        if step % log_every == 0:
            print(f"epoch {epoch} step {step} loss {loss.item():.4f}")


def main():
    parser = argparse.ArgumentParser(description="digits")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=14)
    parser.add_argument("--lr", type=float, default=1.0)
    parser.add_argument("--log-every", type=int, default=10)
    args = parser.parse_args()
    tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
    data = datasets.MNIST("../data", train=True, download=True, transform=tf)
    loader = torch.utils.data.DataLoader(data, batch_size=args.batch_size)
    model = Net()
    optimizer = optim.Adadelta(model.parameters(), lr=args.lr)
    schedule = StepLR(optimizer, step_size=1, gamma=0.7)
    for epoch in range(1, args.epochs + 1):
        run_epoch(model, loader, optimizer, epoch, args.log_every)
        schedule.step()
    torch.save(model.state_dict(), "digits.pt")


if __name__ == "__main__":
    main()
