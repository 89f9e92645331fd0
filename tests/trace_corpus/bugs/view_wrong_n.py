# trace: --class Net -i 64x1x28x28
# fix: 19: self.fc1 = nn.Linear(16 * 4 * 4, 120)
# fix: 26: x = x.view(-1, 16 * 4 * 4)
"""The tutorial's LeNet (written for 32x32 inputs) fed 28x28 MNIST digits: view(-1, 16*5*5)
no longer matches the 16x4x4 feature map."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torchvision import datasets, transforms

train_set = datasets.MNIST("data", train=True, download=True, transform=transforms.ToTensor())


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.view(-1, 16 * 5 * 5)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


loader = torch.utils.data.DataLoader(train_set, batch_size=64)
model = Net()
for images, labels in loader:
    loss = F.cross_entropy(model(images), labels)
