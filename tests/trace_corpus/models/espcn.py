# trace: --class SubPixelNet -i 1x1x64x64 --init 'scale=3'
"""Single-image super-resolution with a sub-pixel convolution: the last conv produces
scale*scale channels per output channel and PixelShuffle rearranges them into a larger image."""
import torch
import torch.nn as nn
import torch.nn.init as init


class SubPixelNet(nn.Module):
    def __init__(self, scale, channels=1, features=64):
        super().__init__()
        self.act = nn.ReLU()
        self.head = nn.Conv2d(channels, features, (5, 5), (1, 1), (2, 2))
        self.body1 = nn.Conv2d(features, features, (3, 3), (1, 1), (1, 1))
        self.body2 = nn.Conv2d(features, features // 2, (3, 3), (1, 1), (1, 1))
        self.tail = nn.Conv2d(features // 2, channels * scale ** 2, (3, 3), (1, 1), (1, 1))
        self.shuffle = nn.PixelShuffle(scale)
        self.reset_parameters()

    def reset_parameters(self):
        gain = init.calculate_gain("relu")
        for conv in (self.head, self.body1, self.body2):
            init.orthogonal_(conv.weight, gain)
        init.orthogonal_(self.tail.weight)

    def forward(self, x):
        x = self.act(self.head(x))
        x = self.act(self.body1(x))
        x = self.act(self.body2(x))
        return self.shuffle(self.tail(x))


if __name__ == "__main__":
    import sys
    torch.save(SubPixelNet(int(sys.argv[1])), "epoch_1.pth")
