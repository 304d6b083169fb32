"""PyTorch's side of packages/wasm_engine/bench/gemm_peak.ts: single-thread f32 matrix products
(torch.mm, through the BLAS PyTorch is linked with) and the DCGAN's convolutions (oneDNN), best of
--rounds, in GFLOP/s.

Reads one JSON object from stdin: {"gemms": [[M, K, N], ...], "convs": [{"x": [N, C, H, W],
"w": [O, C, kh, kw], "stride": s, "padding": p, "transposed": bool, "output_padding": op}, ...],
"rounds": R}. Prints one JSON object: {"torch": version, "threads": 1, "gemm": [GFLOP/s, ...],
"conv": [GFLOP/s, ...], "capability": ..., "blas": ...}.

Run with Debian's Python: /usr/bin/python3 packages/wasm_engine/bench/torch_mm.py < shapes.json
"""

import json
import sys
import time

import torch
import torch.nn.functional as F


def best_seconds(fn, rounds):
    fn()  # warm-up: oneDNN builds its primitive, BLAS its buffers
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main():
    spec = json.load(sys.stdin)
    torch.set_num_threads(1)
    rounds = spec["rounds"]
    gemm = []
    for m, k, n in spec["gemms"]:
        a, b = torch.randn(m, k), torch.randn(k, n)
        seconds = best_seconds(lambda: torch.mm(a, b), rounds)
        gemm.append(2 * m * k * n / seconds / 1e9)
    conv = []
    for c in spec["convs"]:
        x, w = torch.randn(*c["x"]), torch.randn(*c["w"])
        if c.get("transposed"):
            run = lambda: F.conv_transpose2d(x, w, stride=c["stride"], padding=c["padding"],
                                             output_padding=c.get("output_padding", 0))
            # Every input position meets every filter tap: N*H*W x C_in x C_out x kh*kw
            flop = 2 * c["x"][0] * c["x"][2] * c["x"][3] * w.numel()
        else:
            run = lambda: F.conv2d(x, w, stride=c["stride"], padding=c["padding"])
            out = run()
            flop = 2 * out.shape[0] * out.shape[2] * out.shape[3] * w.numel()
        conv.append(flop / best_seconds(run, rounds) / 1e9)
    config = torch.__config__.show()
    capability = next((line.split(":", 1)[1].strip() for line in config.splitlines()
                       if "CPU capability" in line), "unknown")
    blas = next((part.split("=", 1)[1] for part in config.replace(",", " ").split()
                 if part.startswith("BLAS_INFO=")), "unknown")
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(),
                      "gemm": gemm, "conv": conv, "capability": capability, "blas": blas}))


if __name__ == "__main__":
    main()
