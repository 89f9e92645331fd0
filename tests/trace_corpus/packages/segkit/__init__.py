"""A small segmentation package: shared layers, then networks built from them."""
from .nets.segnet import SegNet

__all__ = ["SegNet"]
