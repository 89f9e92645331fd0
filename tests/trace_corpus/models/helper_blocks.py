# trace: --class SimpleNet -i 8x3x64x64 --init 'num_classes=37'
"""A classifier assembled from small functions that each return a block."""
import torch
import torch.nn as nn


def conv_bn_relu(in_channels, out_channels, kernel_size=3, stride=1):
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding=kernel_size // 2, bias=False),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(inplace=True),
    )


def down_block(in_channels, out_channels):
    layers = [conv_bn_relu(in_channels, out_channels), conv_bn_relu(out_channels, out_channels)]
    layers.append(nn.MaxPool2d(2))
    return nn.Sequential(*layers)


def head(in_features, num_classes, dropout=0.3):
    return nn.Sequential(
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Dropout(dropout),
        nn.Linear(in_features, num_classes),
    )


class SimpleNet(nn.Module):
    def __init__(self, num_classes=10, widths=(32, 64, 128, 256)):
        super().__init__()
        self.stem = conv_bn_relu(3, widths[0], kernel_size=5, stride=2)
        blocks = []
        for cin, cout in zip(widths[:-1], widths[1:]):
            blocks.append(down_block(cin, cout))
        self.body = nn.Sequential(*blocks)
        self.head = head(widths[-1], num_classes)

    def forward(self, x):
        return self.head(self.body(self.stem(x)))


if __name__ == "__main__":
    model = SimpleNet(num_classes=37)
    images = torch.randn(8, 3, 64, 64)
    print(model(images).shape)
    torch.save(model.state_dict(), "pets.pt")
