# trace: --class tiny_resnet -i 2x3x64x64 --init 'num_classes=7'
"""Models registered by name with a decorator, then built through the registry: the pattern
of model zoos and config-driven training scripts."""
import functools

import torch.nn as nn

MODEL_REGISTRY = {}


def register_model(fn):
    MODEL_REGISTRY[fn.__name__] = fn

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)

    return wrapper


def build(name, **kwargs):
    return MODEL_REGISTRY[name](**kwargs)


class Residual(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return x + self.fn(x)


def _stage(cin, cout, depth):
    layers = [nn.Conv2d(cin, cout, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]
    for _ in range(depth):
        layers.append(Residual(nn.Sequential(
            nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(),
            nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout),
        )))
    return nn.Sequential(*layers)


class TinyResNet(nn.Module):
    def __init__(self, widths, depths, num_classes=10):
        super().__init__()
        stages = []
        cin = 3
        for w, d in zip(widths, depths):
            stages.append(_stage(cin, w, d))
            cin = w
        self.stages = nn.Sequential(*stages)
        self.head = nn.Linear(cin, num_classes)

    def forward(self, x):
        return self.head(self.stages(x).mean((-2, -1)))


@register_model
def tiny_resnet(num_classes=10, **kwargs):
    return TinyResNet((16, 32, 64), (1, 2, 1), num_classes=num_classes, **kwargs)


@register_model
def small_resnet(num_classes=10, **kwargs):
    return TinyResNet((32, 64, 128, 256), (2, 2, 2, 2), num_classes=num_classes, **kwargs)


if __name__ == "__main__":
    import sys
    model = build(sys.argv[1], num_classes=int(sys.argv[2]))
    print(model)
