# trace: --class DetNet -i 1x3x128x128
# fix: 19: self.neck = ConvBNAct(256, 128, k=1)
"""The entry file of the package: PyTorch fails in blocks.py, the fix is here."""
import torch.nn as nn

from .blocks import ConvBNAct, CSPStage

WIDTHS = (32, 64, 128, 256)


class DetNet(nn.Module):
    def __init__(self, num_classes=20, anchors=3):
        super().__init__()
        self.stem = ConvBNAct(3, WIDTHS[0], 3, 2)
        stages = []
        for c_in, c_out in zip(WIDTHS[:-1], WIDTHS[1:]):
            stages.append(CSPStage(c_in, c_out, n=2))
        self.backbone = nn.Sequential(*stages)
        self.neck = ConvBNAct(128, 128, k=1)
        self.head = nn.Conv2d(128, anchors * (5 + num_classes), 1)

    def forward(self, x):
        x = self.backbone(self.stem(x))
        return self.head(self.neck(x))
