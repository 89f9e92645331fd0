from .conv import ConvBNReLU, DoubleConv
from .upsample import UpBlock
