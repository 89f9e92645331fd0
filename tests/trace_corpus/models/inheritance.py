# trace: --class WideNet -i 2x3x32x32
"""A base class owns forward; subclasses only say how to build their features."""
import torch
import torch.nn as nn


class BaseNet(nn.Module):
    feature_dim = 64

    def __init__(self, num_classes=10):
        super().__init__()
        self.features = self.make_features()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = self.make_classifier(num_classes)

    def make_features(self):
        raise NotImplementedError

    def make_classifier(self, num_classes):
        return nn.Linear(self.feature_dim, num_classes)

    def forward(self, x):
        x = self.features(x)
        x = self.pool(x).flatten(1)
        return self.classifier(x)


class NarrowNet(BaseNet):
    def make_features(self):
        return nn.Sequential(
            nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(),
        )


class WideNet(NarrowNet):
    feature_dim = 256

    def __init__(self, num_classes=10, dropout=0.2):
        self.dropout = dropout
        super().__init__(num_classes)

    def make_features(self):
        base = super().make_features()
        return nn.Sequential(base, nn.Conv2d(64, self.feature_dim, 1), nn.BatchNorm2d(self.feature_dim))

    def make_classifier(self, num_classes):
        return nn.Sequential(nn.Dropout(self.dropout), super().make_classifier(num_classes))
