# trace: --class M5 -i 4x1x8000 --init 'n_output=35'
"""A keyword spotter on raw 8 kHz audio in the manner of the M5 network: a wide strided first
Conv1d, then conv / batch norm / pool stages, global average pooling by F.avg_pool1d over the
whole length, and log-probabilities over a trailing axis."""
import torch
import torch.nn as nn
import torch.nn.functional as F

sample_rate = 8000
labels = ["yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go"]


class M5(nn.Module):
    def __init__(self, n_input=1, n_output=35, stride=16, n_channel=32):
        super().__init__()
        widths = [n_channel, n_channel, 2 * n_channel, 2 * n_channel]
        self.front = nn.Conv1d(n_input, widths[0], kernel_size=80, stride=stride)
        self.convs = nn.ModuleList(
            nn.Conv1d(widths[i - 1], widths[i], kernel_size=3) for i in range(1, 4)
        )
        self.norms = nn.ModuleList(nn.BatchNorm1d(w) for w in widths)
        self.pool = nn.MaxPool1d(4)
        self.fc = nn.Linear(widths[-1], n_output)

    def forward(self, x):
        x = self.pool(F.relu(self.norms[0](self.front(x))))
        for conv, norm in zip(self.convs, self.norms[1:]):
            x = self.pool(F.relu(norm(conv(x))))
        x = F.avg_pool1d(x, x.shape[-1])
        x = x.permute(0, 2, 1)
        return F.log_softmax(self.fc(x), dim=2)


model = M5(n_input=1, n_output=len(labels))
print("parameters:", sum(p.numel() for p in model.parameters() if p.requires_grad))
