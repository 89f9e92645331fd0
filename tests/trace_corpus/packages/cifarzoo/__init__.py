"""Models for 32x32 images; `from cifarzoo import wrn16_4`."""
from .wide_resnet import WideResNet, wrn16_4

__version__ = "0.1"
