"""A small network whose residual blocks come from blocks.py in the same folder."""
import torch
import torch.nn as nn

from blocks import ResidualBlock


class TinyNet(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.stem = nn.Conv2d(3, 16, kernel_size=3, padding=1, bias=False)
        self.block1 = ResidualBlock(16, 16)
        self.block2 = ResidualBlock(16, 32, stride=2)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(32, num_classes)

    def forward(self, x):
        x = self.stem(x)
        x = self.block1(x)
        x = self.block2(x)
        x = self.pool(x).flatten(1)
        return self.fc(x)


model = TinyNet()
images = torch.randn(4, 3, 32, 32)
logits = model(images)
print(logits.shape)
