# trace: --class Net -i 1x1x32x32
"""LeNet for 32x32 grayscale images, written the way the 60-minute blitz tutorial does it."""
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim


class Net(nn.Module):

    def __init__(self):
        super(Net, self).__init__()
        # grayscale in, six 5x5 filters
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)  # 16 maps of 5x5 after two conv+pool steps
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        # conv, relu, then a 2x2 max pool
        x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
        # a single number works for a square window too
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.view(-1, self.num_flat_features(x))
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x

    def num_flat_features(self, x):
        count = 1
        for dim in x.size()[1:]:  # everything but the batch
            count *= dim
        return count


net = Net()
print(net)
weights = list(net.parameters())
print(len(weights), weights[0].size())

sample = torch.randn(1, 1, 32, 32)
prediction = net(sample)
print(prediction)

goal = torch.randn(1, 10)
loss_fn = nn.MSELoss()
sgd = optim.SGD(net.parameters(), lr=0.01)
for step in range(100):
    sgd.zero_grad()
    loss = loss_fn(net(sample), goal)
    loss.backward()
    sgd.step()
