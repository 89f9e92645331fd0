# trace: --class Encoder -i 2x3x64x64
# fix: 11: self.down = nn.Conv2d(32, 64, kernel_size=3, stride=2, padding=1)
"""padding="same" with a stride: PyTorch refuses it when the layer is built."""
import torch.nn as nn


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 32, kernel_size=3, padding="same")
        self.down = nn.Conv2d(32, 64, kernel_size=3, stride=2, padding="same")
        self.act = nn.ReLU()

    def forward(self, x):
        return self.act(self.down(self.act(self.conv(x))))
