# trace: --class MobileNetV2 -i 1x3x96x96 --init 'width_mult=0.5, num_classes=10'
"""MobileNetV2-style inverted residuals generated from an (expansion, width, repeats, stride)
table, with widths rounded to multiples of 8 and an init loop over self.modules()."""
import torch
from torch import nn


def round_width(width, multiple=8):
    rounded = max(multiple, int(width + multiple / 2) // multiple * multiple)
    return rounded + multiple if rounded < 0.9 * width else rounded


class ConvBNReLU6(nn.Sequential):
    def __init__(self, cin, cout, kernel=3, stride=1, groups=1):
        super().__init__(
            nn.Conv2d(cin, cout, kernel, stride, (kernel - 1) // 2, groups=groups, bias=False),
            nn.BatchNorm2d(cout),
            nn.ReLU6(inplace=True),
        )


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, stride, expansion):
        super().__init__()
        assert stride in (1, 2)
        hidden = int(round(cin * expansion))
        self.residual = stride == 1 and cin == cout
        steps = [] if expansion == 1 else [ConvBNReLU6(cin, hidden, kernel=1)]
        steps += [
            ConvBNReLU6(hidden, hidden, stride=stride, groups=hidden),
            nn.Conv2d(hidden, cout, 1, bias=False),
            nn.BatchNorm2d(cout),
        ]
        self.block = nn.Sequential(*steps)

    def forward(self, x):
        return x + self.block(x) if self.residual else self.block(x)


SETTINGS = [
    # expansion, width, repeats, first stride
    (1, 16, 1, 1),
    (6, 24, 2, 2),
    (6, 32, 3, 2),
    (6, 64, 4, 2),
    (6, 96, 3, 1),
    (6, 160, 3, 2),
    (6, 320, 1, 1),
]


class MobileNetV2(nn.Module):
    def __init__(self, num_classes=1000, width_mult=1.0):
        super().__init__()
        cin = round_width(32 * width_mult)
        self.last_width = round_width(1280 * max(1.0, width_mult))
        layers = [ConvBNReLU6(3, cin, stride=2)]
        for t, c, n, s in SETTINGS:
            cout = round_width(c * width_mult)
            for i in range(n):
                layers.append(InvertedResidual(cin, cout, s if i == 0 else 1, t))
                cin = cout
        layers.append(ConvBNReLU6(cin, self.last_width, kernel=1))
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(self.last_width, num_classes))
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0, 0.01)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        x = self.features(x)
        x = nn.functional.adaptive_avg_pool2d(x, 1).reshape(x.shape[0], -1)
        return self.classifier(x)
