# A residual block in the style of the classic ResNet notebooks: a main path of two 3x3 convolutions
# and a shortcut that is the identity, or a 1x1 convolution + BatchNorm when the shape changes.
# Open it with Tensor Trace to see each tensor's shape, the skip connection and the gradients.

import torch
import torch.nn as nn
import torch.nn.functional as F


class BasicBlock(nn.Module):
    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        # Main path: conv -> BN -> ReLU -> conv -> BN
        self.conv1 = nn.Conv2d(in_channels, out_channels, kernel_size=3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)

        # Shortcut: identity unless the block changes resolution or width.
        self.shortcut = nn.Identity()
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, kernel_size=1, stride=stride, bias=False),
                nn.BatchNorm2d(out_channels),
            )

    def forward(self, x):
        identity = self.shortcut(x)

        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        print("Residual f(x) shape:", out.shape)

        out = out + identity
        return F.relu(out)


class TinyResNet(nn.Module):
    """A stem, two stages of BasicBlocks and a linear classifier."""

    def __init__(self, num_classes=10):
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(3, 32, kernel_size=3, padding=1, bias=False),
            nn.BatchNorm2d(32),
            nn.ReLU(inplace=True),
        )
        self.stage1 = nn.Sequential(BasicBlock(32, 32), BasicBlock(32, 32))
        self.stage2 = nn.Sequential(BasicBlock(32, 64, stride=2), BasicBlock(64, 64))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(64, num_classes)

    def forward(self, x):
        x = self.stem(x)
        x = self.stage1(x)
        x = self.stage2(x)
        x = torch.flatten(self.pool(x), 1)
        return self.fc(x)


if __name__ == "__main__":
    torch.manual_seed(0)
    model = TinyResNet(num_classes=10)

    images = torch.randn(8, 3, 32, 32, requires_grad=True)
    logits = model(images)
    print("Logits shape:", logits.shape)

    loss = logits.pow(2).mean()
    print("Loss:", loss.item())
    loss.backward()

    print("Input gradient (first 5):", images.grad.view(-1)[:5])
    print("Parameters:", sum(p.numel() for p in model.parameters()))
