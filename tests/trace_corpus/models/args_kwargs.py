# trace: --class Detector -i 1x3x128x128
"""Wrapper modules that pass *args and **kwargs through, with an autopad helper, in the style
of one-stage detector code bases."""
import torch
import torch.nn as nn


def autopad(k, p=None, d=1):
    """The padding that keeps the spatial size at stride 1."""
    if d > 1:
        k = d * (k - 1) + 1 if isinstance(k, int) else [d * (x - 1) + 1 for x in k]
    if p is None:
        p = k // 2 if isinstance(k, int) else [x // 2 for x in k]
    return p


class Conv(nn.Module):
    default_act = nn.SiLU()

    def __init__(self, c1, c2, k=1, s=1, p=None, g=1, d=1, act=True):
        super().__init__()
        self.conv = nn.Conv2d(c1, c2, k, s, autopad(k, p, d), groups=g, dilation=d, bias=False)
        self.bn = nn.BatchNorm2d(c2)
        self.act = self.default_act if act is True else act if isinstance(act, nn.Module) else nn.Identity()

    def forward(self, x):
        return self.act(self.bn(self.conv(x)))


class Bottleneck(nn.Module):
    def __init__(self, c1, c2, shortcut=True, g=1, e=0.5, **kwargs):
        super().__init__()
        c_ = int(c2 * e)
        self.cv1 = Conv(c1, c_, 1, 1, **kwargs)
        self.cv2 = Conv(c_, c2, 3, 1, g=g, **kwargs)
        self.add = shortcut and c1 == c2

    def forward(self, x):
        return x + self.cv2(self.cv1(x)) if self.add else self.cv2(self.cv1(x))


class C3(nn.Module):
    def __init__(self, c1, c2, n=1, *args, e=0.5, **kwargs):
        super().__init__()
        c_ = int(c2 * e)
        self.cv1 = Conv(c1, c_, 1, 1)
        self.cv2 = Conv(c1, c_, 1, 1)
        self.cv3 = Conv(2 * c_, c2, 1)
        self.m = nn.Sequential(*(Bottleneck(c_, c_, *args, e=1.0, **kwargs) for _ in range(n)))

    def forward(self, x):
        return self.cv3(torch.cat((self.m(self.cv1(x)), self.cv2(x)), 1))


class SPPF(nn.Module):
    def __init__(self, c1, c2, k=5):
        super().__init__()
        c_ = c1 // 2
        self.cv1 = Conv(c1, c_, 1, 1)
        self.cv2 = Conv(c_ * 4, c2, 1, 1)
        self.m = nn.MaxPool2d(kernel_size=k, stride=1, padding=k // 2)

    def forward(self, x):
        x = self.cv1(x)
        y1 = self.m(x)
        y2 = self.m(y1)
        return self.cv2(torch.cat((x, y1, y2, self.m(y2)), 1))


class Detector(nn.Module):
    def __init__(self, nc=80, na=3, width=16):
        super().__init__()
        w = width
        self.backbone = nn.Sequential(
            Conv(3, w, 6, 2, 2),
            Conv(w, w * 2, 3, 2),
            C3(w * 2, w * 2, 1),
            Conv(w * 2, w * 4, 3, 2),
            C3(w * 4, w * 4, 2, True, g=1),
            Conv(w * 4, w * 8, 3, 2),
            C3(w * 8, w * 8, 1, False),
            SPPF(w * 8, w * 8, 5),
        )
        self.head = nn.Conv2d(w * 8, na * (nc + 5), 1)
        self.na, self.no = na, nc + 5

    def forward(self, x):
        p = self.head(self.backbone(x))
        bs, _, ny, nx = p.shape
        return p.view(bs, self.na, self.no, ny, nx).permute(0, 1, 3, 4, 2).contiguous()
