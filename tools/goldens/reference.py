"""A PyTorch reference of every AttnFER network module, written from the module specification
(the equations of each paper as restated there), independent of the Java code.

Parameter names are the PyTorch state-dict names the Java blocks use, so a state dict written
from these modules loads into the Java blocks by name. Every module computes in the dtype of its
input, so the goldens are computed in float64 from float32 weights and inputs.
"""

import math

import torch
import torch.nn.functional as F
from torch import nn


def hswish(t):
    return t * F.relu6(t + 3) / 6


class ChannelAttention(nn.Module):
    """CA, the channel branch of CBAM (Woo et al., ECCV 2018): a shared MLP over the average- and
    the max-pooled descriptor, summed, then a sigmoid gate."""

    def __init__(self, channels, reduction=16, bias=True):
        super().__init__()
        mid = max(1, channels // reduction)
        self.fc1 = nn.Linear(channels, mid, bias=bias)
        self.fc2 = nn.Linear(mid, channels, bias=bias)

    def mlp(self, u):
        return self.fc2(F.relu(self.fc1(u)))

    def forward(self, x):
        s = torch.sigmoid(self.mlp(x.mean((2, 3))) + self.mlp(x.amax((2, 3))))
        return x * s[:, :, None, None]


class SqueezeExcitation(nn.Module):
    """SE (Hu et al., CVPR 2018): an MLP over the average-pooled descriptor, then a sigmoid gate."""

    def __init__(self, channels, reduction=16, bias=True):
        super().__init__()
        mid = max(1, channels // reduction)
        self.fc1 = nn.Linear(channels, mid, bias=bias)
        self.fc2 = nn.Linear(mid, channels, bias=bias)

    def forward(self, x):
        s = torch.sigmoid(self.fc2(F.relu(self.fc1(x.mean((2, 3))))))
        return x * s[:, :, None, None]


class SimAM(nn.Module):
    """SimAM (Yang et al., ICML 2021): each activation gated by the inverse of its minimal energy;
    the variance of a 1x1 map is taken as 0."""

    def __init__(self, lam=1e-4):
        super().__init__()
        self.lam = lam

    def forward(self, x):
        m = x.shape[2] * x.shape[3]
        d = (x - x.mean((2, 3), keepdim=True)) ** 2
        v = d.sum((2, 3), keepdim=True) / (m - 1) if m > 1 else torch.zeros_like(d[:, :, :1, :1])
        return x * torch.sigmoid(d / (4 * (v + self.lam)) + 0.5)


def eca_kernel(channels, gamma=2, b=1):
    t = int(abs((math.log2(channels) + b) / gamma))
    return t if t % 2 else t + 1


class EfficientChannelAttention(nn.Module):
    """ECA (Wang et al., CVPR 2020): a 1-D convolution across the average-pooled channels."""

    def __init__(self, channels, k_size=None):
        super().__init__()
        k = k_size or eca_kernel(channels)
        self.conv = nn.Conv1d(1, 1, k, padding=(k - 1) // 2, bias=False)

    def forward(self, x):
        y = self.conv(x.mean((2, 3))[:, None, :])[:, 0, :]
        return x * torch.sigmoid(y)[:, :, None, None]


class CoordinateAttention(nn.Module):
    """Coordinate attention (Hou et al., CVPR 2021): pooling along each axis, a shared 1x1 conv,
    BatchNorm and hard swish, then one sigmoid gate per direction."""

    def __init__(self, channels, reduction=32):
        super().__init__()
        mid = max(8, channels // reduction)
        self.conv1 = nn.Conv2d(channels, mid, 1)
        self.bn1 = nn.BatchNorm2d(mid)
        self.conv_h = nn.Conv2d(mid, channels, 1)
        self.conv_w = nn.Conv2d(mid, channels, 1)

    def forward(self, x):
        h, w = x.shape[2], x.shape[3]
        zh = x.mean(3, keepdim=True)
        zw = x.mean(2, keepdim=True).permute(0, 1, 3, 2)
        f = hswish(self.bn1(self.conv1(torch.cat([zh, zw], 2))))
        fh, fw = f[:, :, :h], f[:, :, h:].permute(0, 1, 3, 2)
        return x * torch.sigmoid(self.conv_w(fw)) * torch.sigmoid(self.conv_h(fh))


class BamChannelGate(nn.Module):
    def __init__(self, channels, mid):
        super().__init__()
        self.fc1 = nn.Linear(channels, mid)
        self.bn = nn.BatchNorm1d(mid)
        self.fc2 = nn.Linear(mid, channels)

    def forward(self, x):
        return self.fc2(F.relu(self.bn(self.fc1(x.mean((2, 3))))))


class BamSpatialGate(nn.Module):
    def __init__(self, channels, mid, dilation):
        super().__init__()
        self.reduce_conv = nn.Conv2d(channels, mid, 1)
        self.reduce_bn = nn.BatchNorm2d(mid)
        self.dilated_conv0 = nn.Conv2d(mid, mid, 3, padding=dilation, dilation=dilation)
        self.dilated_bn0 = nn.BatchNorm2d(mid)
        self.dilated_conv1 = nn.Conv2d(mid, mid, 3, padding=dilation, dilation=dilation)
        self.dilated_bn1 = nn.BatchNorm2d(mid)
        self.final_conv = nn.Conv2d(mid, 1, 1)

    def forward(self, x):
        s = F.relu(self.reduce_bn(self.reduce_conv(x)))
        s = F.relu(self.dilated_bn0(self.dilated_conv0(s)))
        s = F.relu(self.dilated_bn1(self.dilated_conv1(s)))
        return self.final_conv(s)


class Bam(nn.Module):
    """BAM (Park et al., BMVC 2018) in the layout of its official code: x * (1 + sigmoid(A)), A the
    product (default) or the sum of the channel and the spatial branch."""

    def __init__(self, channels, reduction=16, dilation=4, combine="product"):
        super().__init__()
        mid = max(1, channels // reduction)
        self.channel_gate = BamChannelGate(channels, mid)
        self.spatial_gate = BamSpatialGate(channels, mid, dilation)
        self.combine = combine

    def forward(self, x):
        mc = self.channel_gate(x)[:, :, None, None]
        ms = self.spatial_gate(x)
        a = mc * ms if self.combine == "product" else mc + ms
        return x * (1 + torch.sigmoid(a))


def reflect_indices(n, p):
    """Indices of a length-n axis padded by p on each side by repeated reflection without the edge."""
    out = []
    for t in range(-p, n + p):
        if n == 1:
            out.append(0)
            continue
        u = t % (2 * (n - 1))
        out.append(u if u < n else 2 * (n - 1) - u)
    return torch.tensor(out)


def reflect_pad(x, p):
    rows = reflect_indices(x.shape[-2], p)
    cols = reflect_indices(x.shape[-1], p)
    return x[..., rows, :][..., :, cols]


def windows(x, k, stride, ho, wo):
    """[..., H+2p, W+2p] -> [..., k*k, Ho, Wo]: the k x k window of each output position, row-major."""
    taps = []
    for a in range(k):
        for b in range(k):
            taps.append(x[..., a : a + (ho - 1) * stride + 1 : stride, b : b + (wo - 1) * stride + 1 : stride])
    return torch.stack(taps, -3)


class AcMix(nn.Module):
    """ACmix (Pan et al., CVPR 2022), the ResNet form: shared 1x1 projections feed a windowed
    self-attention path and a shift-kernel convolution path, mixed by two learnable rates."""

    def __init__(self, channels, stride=1, k_att=7, head=4, k_conv=3):
        super().__init__()
        self.head, self.k_att, self.k_conv, self.stride = head, k_att, k_conv, stride
        self.hd = channels // head
        self.rate1 = nn.Parameter(torch.zeros(1))
        self.rate2 = nn.Parameter(torch.zeros(1))
        self.conv1 = nn.Conv2d(channels, channels, 1)
        self.conv2 = nn.Conv2d(channels, channels, 1)
        self.conv3 = nn.Conv2d(channels, channels, 1)
        self.conv_p = nn.Conv2d(2, self.hd, 1)
        self.fc = nn.Conv2d(3 * head, k_conv * k_conv, 1, bias=False)
        self.dep_conv = nn.Conv2d(
            k_conv * k_conv * self.hd, channels, k_conv, stride, k_conv // 2, groups=self.hd, bias=False
        )

    def official_init(self):
        """Rates 0.5 and the shift kernels, as the ACmix code sets them."""
        with torch.no_grad():
            self.rate1.fill_(0.5)
            self.rate2.fill_(0.5)
            k = self.k_conv
            w = torch.zeros_like(self.dep_conv.weight)
            for t in range(k * k):
                w[:, t, t // k, t % k] = 1
            self.dep_conv.weight.copy_(w)

    def forward(self, x):
        n, c, h, w = x.shape
        s, p, hd, heads = self.stride, (self.k_att - 1) // 2, self.hd, self.head
        ho, wo = -(-h // s), -(-w // s)
        q, k, v = self.conv1(x), self.conv2(x), self.conv3(x)
        grid_x = torch.linspace(-1, 1, w, dtype=x.dtype) if w > 1 else -torch.ones(1, dtype=x.dtype)
        grid_y = torch.linspace(-1, 1, h, dtype=x.dtype) if h > 1 else -torch.ones(1, dtype=x.dtype)
        grid = torch.stack([grid_x[None, :].expand(h, w), grid_y[:, None].expand(h, w)])[None]
        pe = self.conv_p(grid)  # [1, hd, H, W]
        qh = q.reshape(n, heads, hd, h, w)[..., ::s, ::s] / math.sqrt(hd)  # [N, heads, hd, Ho, Wo]
        kw = windows(reflect_pad(k.reshape(n, heads, hd, h, w), p), self.k_att, s, ho, wo)
        vw = windows(reflect_pad(v.reshape(n, heads, hd, h, w), p), self.k_att, s, ho, wo)
        pw = windows(reflect_pad(pe, p), self.k_att, s, ho, wo)[:, None]  # [1, 1, hd, kt, Ho, Wo]
        pc = pe[..., ::s, ::s][:, None, :, None]  # [1, 1, hd, 1, Ho, Wo]
        logits = (qh[:, :, :, None] * (kw + pc - pw)).sum(2)  # [N, heads, kt, Ho, Wo]
        alpha = torch.softmax(logits, 2)
        att = (alpha[:, :, None] * vw).sum(3).reshape(n, c, ho, wo)
        g = torch.cat([t.reshape(n, heads, hd, h, w) for t in (q, k, v)], 1)  # [N, 3*heads, hd, H, W]
        f = torch.einsum("tm,nmdyx->ntdyx", self.fc.weight[:, :, 0, 0], g)  # [N, k^2, hd, H, W]
        f = f.permute(0, 2, 1, 3, 4).reshape(n, hd * self.k_conv * self.k_conv, h, w)
        conv = self.dep_conv(f)
        return self.rate1 * att + self.rate2 * conv


def space_to_depth(x):
    """Block 2; odd sides zero-padded at the bottom/right; groups (dy,dx) = (0,0), (1,0), (0,1), (1,1)."""
    x = F.pad(x, (0, x.shape[3] % 2, 0, x.shape[2] % 2))
    return torch.cat([x[..., 0::2, 0::2], x[..., 1::2, 0::2], x[..., 0::2, 1::2], x[..., 1::2, 1::2]], 1)


class SpaceToDepth(nn.Module):
    def forward(self, x):
        return space_to_depth(x)


class ScBlock(nn.Module):
    """SC (Sunkara and Luo, ECML PKDD 2022): space-to-depth, a stride-1 k x k conv, BN, ReLU."""

    def __init__(self, in_channels=3, out_channels=64, kernel=3):
        super().__init__()
        self.conv = nn.Conv2d(4 * in_channels, out_channels, kernel, 1, kernel // 2, bias=False)
        self.bn = nn.BatchNorm2d(out_channels)

    def forward(self, x):
        return F.relu(self.bn(self.conv(space_to_depth(x))))


ATTENTION = {
    "ca": ChannelAttention,
    "se": SqueezeExcitation,
    "eca": EfficientChannelAttention,
    "coord": CoordinateAttention,
}


class Bottleneck(nn.Module):
    """The torchvision v1.5 bottleneck (He et al., CVPR 2016) with the project's hooks: modules
    after bn3 (in order), SimAM after conv2, ACmix in place of conv2."""

    def __init__(self, inplanes, planes, stride=1, after_bn3=(), simam_after_conv2=False, acmix=False):
        super().__init__()
        width, out = planes, planes * 4
        self.conv1 = nn.Conv2d(inplanes, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = AcMix(width, stride) if acmix else nn.Conv2d(width, width, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, out, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(out)
        self.simam_after_conv2 = SimAM() if simam_after_conv2 else None
        self.after = []
        for name in after_bn3:
            module = SimAM() if name == "simam" else ATTENTION[name](out)
            if name != "simam":
                self.add_module(name, module)
            self.after.append(module)
        self.downsample = None
        if stride != 1 or inplanes != out:
            self.downsample = nn.Sequential(nn.Conv2d(inplanes, out, 1, stride, bias=False), nn.BatchNorm2d(out))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.conv2(y)
        if self.simam_after_conv2 is not None:
            y = self.simam_after_conv2(y)
        y = F.relu(self.bn2(y))
        y = self.bn3(self.conv3(y))
        for m in self.after:
            y = m(y)
        r = x if self.downsample is None else self.downsample(x)
        return F.relu(y + r)


class ResNet50(nn.Module):
    """ResNet50 (torchvision v1.5) with the study's insertions, for the parameter and MAC table."""

    def __init__(self, num_classes=7, after_bn3=(), simam_after_conv2=False, acmix=False, bam=False, sc=False):
        super().__init__()
        self.conv1 = ScConv() if sc else nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        inplanes = 64
        for s, (blocks, planes, stride) in enumerate([(3, 64, 1), (4, 128, 2), (6, 256, 2), (3, 512, 2)], 1):
            layer = []
            for b in range(blocks):
                layer.append(Bottleneck(inplanes, planes, stride if b == 0 else 1, after_bn3, simam_after_conv2, acmix))
                inplanes = planes * 4
            self.add_module(f"layer{s}", nn.Sequential(*layer))
            if bam and s < 4:
                self.add_module(f"bam{s}", Bam(inplanes))
        self.fc = nn.Linear(2048, num_classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 3, 2, 1)
        for s in range(1, 5):
            x = getattr(self, f"layer{s}")(x)
            if hasattr(self, f"bam{s}"):
                x = getattr(self, f"bam{s}")(x)
        return self.fc(x.mean((2, 3)))


class ScConv(nn.Module):
    """SC's part of the stem: space-to-depth and the 3x3 conv that replace conv1 (bn1 stays)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(12, 64, 3, 1, 1, bias=False)

    def forward(self, x):
        return self.conv(space_to_depth(x))

