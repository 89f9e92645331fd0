# trace: --class SelfAttention2d -i 2x64x7x7
# fix: 21: attn = torch.softmax(torch.matmul(q, k.transpose(1, 2)) * self.scale, dim=-1)
"""Self-attention over the positions of a feature map with the key's transpose forgotten."""
import torch
import torch.nn as nn


class SelfAttention2d(nn.Module):
    def __init__(self, channels=64, reduction=8):
        super().__init__()
        self.q = nn.Conv2d(channels, channels // reduction, 1)
        self.k = nn.Conv2d(channels, channels // reduction, 1)
        self.v = nn.Conv2d(channels, channels, 1)
        self.scale = (channels // reduction) ** -0.5

    def forward(self, x):
        b, c, h, w = x.shape
        q = self.q(x).flatten(2).transpose(1, 2)  # (b, hw, c')
        k = self.k(x).flatten(2).transpose(1, 2)  # (b, hw, c')
        v = self.v(x).flatten(2)                  # (b, c, hw)
        attn = torch.softmax(torch.matmul(q, k) * self.scale, dim=-1)
        out = torch.matmul(v, attn.transpose(1, 2))
        return x + out.view(b, c, h, w)
