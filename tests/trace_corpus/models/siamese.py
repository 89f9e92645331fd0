# trace: --class SiameseNetwork -i 8x1x105x105 -i 8x1x105x105
"""A Siamese network: one shared tower applied to two images, then the L1 distance of the
embeddings scored by a linear layer. forward takes two inputs."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class SiameseNetwork(nn.Module):
    def __init__(self):
        super(SiameseNetwork, self).__init__()
        self.cnn = nn.Sequential(
            nn.Conv2d(1, 64, 10), nn.ReLU(inplace=True), nn.MaxPool2d(2),
            nn.Conv2d(64, 128, 7), nn.ReLU(inplace=True), nn.MaxPool2d(2),
            nn.Conv2d(128, 128, 4), nn.ReLU(inplace=True), nn.MaxPool2d(2),
            nn.Conv2d(128, 256, 4), nn.ReLU(inplace=True),
        )
        self.fc = nn.Sequential(nn.Linear(256 * 6 * 6, 1024), nn.Sigmoid())
        self.out = nn.Linear(1024, 1)

    def forward_once(self, x):
        output = self.cnn(x)
        output = output.view(output.size()[0], -1)
        return self.fc(output)

    def forward(self, input1, input2):
        output1 = self.forward_once(input1)
        output2 = self.forward_once(input2)
        distance = torch.abs(output1 - output2)
        return self.out(distance)


class ContrastiveLoss(torch.nn.Module):
    def __init__(self, margin=2.0):
        super(ContrastiveLoss, self).__init__()
        self.margin = margin

    def forward(self, output1, output2, label):
        euclidean_distance = F.pairwise_distance(output1, output2, keepdim=True)
        return torch.mean((1 - label) * torch.pow(euclidean_distance, 2)
                          + label * torch.pow(torch.clamp(self.margin - euclidean_distance, min=0.0), 2))
