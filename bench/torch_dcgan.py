"""PyTorch reference for bench/bench.ts: the TensorFlow DCGAN tutorial step on 28x28x1, or with
--image 64 the lecture's 64x64x3 DCGAN (lib/models/dcgan_nets.ts's "lecture" plan), on the CPU or with
--device cuda on an NVIDIA GPU (each timed step ends with the losses read back, as in the course).

One step = one discriminator update (generator forward without gradients, D on real and fake,
Adam) and one generator update (generator forward, D on fake with D's weights frozen, Adam),
non-saturating loss on logits, batch 64 by default. The same algorithm as bench/dcgan_models.ts,
so both sides do the same FLOPs. Prints one JSON object: {"torch": version, "threads": n,
"ms": [per-step milliseconds]}.

Run with Debian's Python: /usr/bin/python3 bench/torch_dcgan.py --steps 5 --width 1
"""

import argparse
import json
import time

import torch
from torch import nn


def scaled(channels, width):
    return max(1, round(channels * width))


class Generator(nn.Module):
    """Dense 7*7*256 -> BN -> LReLU -> ConvT 128 s1 -> BN -> LReLU -> ConvT 64 s2 -> ... -> 1 tanh."""

    def __init__(self, latent_dim, width):
        super().__init__()
        self.c0 = scaled(256, width)
        c1, c2 = scaled(128, width), scaled(64, width)
        self.dense = nn.Linear(latent_dim, 7 * 7 * self.c0, bias=False)
        # Keras BatchNormalization defaults: momentum 0.99 (PyTorch 0.01), epsilon 1e-3.
        self.bn0 = nn.BatchNorm1d(7 * 7 * self.c0, eps=1e-3, momentum=0.01)
        # Keras "same" transposed convolutions: padding 2 (and output_padding 1 at stride 2).
        self.up1 = nn.ConvTranspose2d(self.c0, c1, 5, 1, padding=2, bias=False)
        self.bn1 = nn.BatchNorm2d(c1, eps=1e-3, momentum=0.01)
        self.up2 = nn.ConvTranspose2d(c1, c2, 5, 2, padding=2, output_padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c2, eps=1e-3, momentum=0.01)
        self.up3 = nn.ConvTranspose2d(c2, 1, 5, 2, padding=2, output_padding=1, bias=False)
        self.act = nn.LeakyReLU(0.3)  # Keras LeakyReLU default alpha

    def forward(self, z):
        h = self.act(self.bn0(self.dense(z))).view(-1, self.c0, 7, 7)
        h = self.act(self.bn1(self.up1(h)))
        h = self.act(self.bn2(self.up2(h)))
        return torch.tanh(self.up3(h))


class Discriminator(nn.Module):
    """Conv 64 5x5 s2 -> LReLU -> Dropout 0.3 -> Conv 128 5x5 s2 -> LReLU -> Dropout -> Dense 1."""

    def __init__(self, width):
        super().__init__()
        c1, c2 = scaled(64, width), scaled(128, width)
        self.net = nn.Sequential(
            nn.Conv2d(1, c1, 5, 2, padding=2), nn.LeakyReLU(0.3), nn.Dropout(0.3),
            nn.Conv2d(c1, c2, 5, 2, padding=2), nn.LeakyReLU(0.3), nn.Dropout(0.3),
            nn.Flatten(), nn.Linear(7 * 7 * c2, 1))

    def forward(self, x):
        return self.net(x)


class LectureGenerator(nn.Module):
    """Dense 4*4*1024 -> BN -> ReLU -> ConvT 512/256/128 5x5 s2 (BN, ReLU) -> ConvT 3 5x5 s2 tanh."""

    def __init__(self, latent_dim, width):
        super().__init__()
        chans = [scaled(c, width) for c in (1024, 512, 256, 128)]
        self.c0 = chans[0]
        self.dense = nn.Linear(latent_dim, 4 * 4 * self.c0, bias=False)
        self.bn0 = nn.BatchNorm1d(4 * 4 * self.c0, eps=1e-3, momentum=0.01)
        layers = []
        for cin, cout in zip(chans, chans[1:]):
            layers += [nn.ConvTranspose2d(cin, cout, 5, 2, padding=2, output_padding=1, bias=False),
                       nn.BatchNorm2d(cout, eps=1e-3, momentum=0.01), nn.ReLU()]
        layers += [nn.ConvTranspose2d(chans[-1], 3, 5, 2, padding=2, output_padding=1, bias=False),
                   nn.Tanh()]
        self.up = nn.Sequential(*layers)

    def forward(self, z):
        return self.up(torch.relu(self.bn0(self.dense(z))).view(-1, self.c0, 4, 4))


class LectureDiscriminator(nn.Module):
    """Conv 128/256/512/1024 5x5 s2, LReLU 0.2, BN on all but the first (no bias there) -> Dense 1."""

    def __init__(self, width):
        super().__init__()
        chans = [scaled(c, width) for c in (128, 256, 512, 1024)]
        layers, cin = [], 3
        for i, cout in enumerate(chans):
            layers.append(nn.Conv2d(cin, cout, 5, 2, padding=2, bias=i == 0))
            if i > 0:
                layers.append(nn.BatchNorm2d(cout, eps=1e-3, momentum=0.01))
            layers.append(nn.LeakyReLU(0.2))
            cin = cout
        self.net = nn.Sequential(*layers, nn.Flatten(), nn.Linear(4 * 4 * chans[-1], 1))

    def forward(self, x):
        return self.net(x)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--width", type=float, default=1.0)
    parser.add_argument("--latent", type=int, default=100)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--image", type=int, choices=[28, 64], default=28)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise SystemExit("--device cuda: this PyTorch sees no CUDA GPU")
    if args.image == 64:
        g, d = LectureGenerator(args.latent, args.width), LectureDiscriminator(args.width)
        shape = (args.batch, 3, 64, 64)
    else:
        g, d = Generator(args.latent, args.width), Discriminator(args.width)
        shape = (args.batch, 1, 28, 28)
    g, d = g.to(device), d.to(device)
    g_opt = torch.optim.Adam(g.parameters(), lr=1e-4)
    d_opt = torch.optim.Adam(d.parameters(), lr=1e-4)
    bce = nn.BCEWithLogitsLoss()
    real_images = torch.rand(*shape, device=device) * 2 - 1
    ones = torch.ones(args.batch, 1, device=device)
    zeros = torch.zeros(args.batch, 1, device=device)

    def step():
        z = torch.randn(args.batch, args.latent, device=device)
        with torch.no_grad():
            fake_images = g(z)
        d_opt.zero_grad(set_to_none=True)
        d_loss = bce(d(real_images), ones) + bce(d(fake_images), zeros)
        d_loss.backward()
        d_opt.step()
        for p in d.parameters():
            p.requires_grad_(False)
        g_opt.zero_grad(set_to_none=True)
        g_loss = bce(d(g(z)), ones)
        g_loss.backward()
        g_opt.step()
        for p in d.parameters():
            p.requires_grad_(True)
        return d_loss.item(), g_loss.item()

    for _ in range(args.warmup):
        step()
    times = []
    for _ in range(args.steps):
        start = time.perf_counter()
        step()
        times.append((time.perf_counter() - start) * 1000)
    result = {"torch": torch.__version__, "threads": torch.get_num_threads(), "ms": times,
              "device": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
