import torch.nn as nn

from ..layers import ConvBNReLU


class SegHead(nn.Sequential):
    def __init__(self, in_ch, num_classes, dilations=(1, 2)):
        layers = [ConvBNReLU(in_ch, in_ch, dilation=d) for d in dilations]
        layers.append(nn.Conv2d(in_ch, num_classes, kernel_size=1))
        super().__init__(*layers)
