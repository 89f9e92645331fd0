# trace: --class VGG -i 2x3x32x32 --init 'vgg_name="VGG13"'
"""VGG for 32x32 images built from a table of layer widths ("M" for a max pool), the way many
CIFAR training repositories write it."""
import os

import torch
import torch.nn as nn

LAYOUTS = {
    "VGG11": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "VGG13": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "VGG16": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
}


class VGG(nn.Module):
    def __init__(self, vgg_name, num_classes=10):
        super(VGG, self).__init__()
        self.features = self.build_features(LAYOUTS[vgg_name])
        self.classifier = nn.Linear(512, num_classes)

    def build_features(self, layout):
        layers = []
        channels = 3
        for item in layout:
            if item == "M":
                layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
                continue
            layers += [nn.Conv2d(channels, item, kernel_size=3, padding=1),
                       nn.BatchNorm2d(item),
                       nn.ReLU(inplace=True)]
            channels = item
        layers.append(nn.AvgPool2d(kernel_size=1, stride=1))
        return nn.Sequential(*layers)

    def forward(self, x):
        h = self.features(x)
        h = h.view(h.size(0), -1)
        return self.classifier(h)


def smoke_test():
    net = VGG("VGG11")
    print(net(torch.randn(2, 3, 32, 32)).size())


os.makedirs("checkpoint", exist_ok=True)
smoke_test()
