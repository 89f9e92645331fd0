# trace: --class MultiHeadNet -i 2x3x32x32 --init 'task="segment"'
"""One backbone, several heads in an nn.ModuleDict, activations chosen by name."""
import torch
import torch.nn as nn


class MultiHeadNet(nn.Module):
    def __init__(self, task="classify", activation="relu"):
        super().__init__()
        self.task = task
        self.activations = nn.ModuleDict({
            "relu": nn.ReLU(),
            "gelu": nn.GELU(),
            "silu": nn.SiLU(),
        })
        self.act_name = activation
        self.backbone = nn.ModuleDict()
        self.backbone["conv1"] = nn.Conv2d(3, 16, 3, padding=1)
        self.backbone["conv2"] = nn.Conv2d(16, 32, 3, stride=2, padding=1)
        self.backbone["conv3"] = nn.Conv2d(32, 64, 3, stride=2, padding=1)
        self.heads = nn.ModuleDict({
            "classify": nn.Sequential(nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Linear(64, 100)),
            "segment": nn.Sequential(
                nn.Conv2d(64, 21, kernel_size=1),
                nn.Upsample(scale_factor=4, mode="bilinear", align_corners=False),
            ),
        })

    def forward(self, x):
        act = self.activations[self.act_name]
        for name in ["conv1", "conv2", "conv3"]:
            x = act(self.backbone[name](x))
        return self.heads[self.task](x)


if __name__ == "__main__":
    for task in ("classify", "segment"):
        print(task, MultiHeadNet(task)(torch.zeros(2, 3, 32, 32)).shape)
