# trace: --class SegNet -i 2x3x120x160 --init 'num_classes=6'
"""An encoder-decoder segmenter split across a package: layers in ..layers, the head in
.heads, constants in ..config. Every import here is relative, up or sideways."""
import torch.nn as nn

from .. import config
from ..layers import DoubleConv, UpBlock
from .heads import SegHead


class SegNet(nn.Module):
    def __init__(self, in_channels=3, num_classes=2, widths=config.ENCODER_WIDTHS):
        super().__init__()
        self.encoders = nn.ModuleList()
        prev = in_channels
        for w in widths:
            self.encoders.append(DoubleConv(prev, w))
            prev = w
        self.pool = nn.MaxPool2d(2)
        self.decoders = nn.ModuleList(
            UpBlock(widths[i + 1], widths[i], widths[i]) for i in reversed(range(len(widths) - 1))
        )
        self.head = SegHead(widths[0], num_classes)

    def forward(self, x):
        skips = []
        for i, enc in enumerate(self.encoders):
            if i > 0:
                x = self.pool(x)
            x = enc(x)
            skips.append(x)
        skips.pop()
        for dec in self.decoders:
            x = dec(x, skips.pop())
        return self.head(x)


if __name__ == "__main__":
    from segkit import SegNet as Exported

    print(Exported()(__import__("torch").zeros(1, 3, 64, 64)).shape)
