"""Reference FID and KID for tests/metrics_test.ts, computed with NumPy and SciPy.

Usage (Debian's Python, which has numpy and scipy):
    /usr/bin/python3 tests/reference/fid_kid_reference.py                 # print the reference JSON
    /usr/bin/python3 tests/reference/fid_kid_reference.py --write-fixtures  # regenerate the inputs

The feature sets are raw little-endian float64 files listed in fid_kid_cases.json. FID follows the
common pytorch-fid / TF-GAN recipe: np.cov, scipy.linalg.sqrtm(sigma1 @ sigma2) with an epsilon
retry when it is not finite, and the real part of the trace. KID is the unbiased MMD^2 with the
cubic polynomial kernel k(x, y) = (x.y / d + 1)^3 on random subsets; the subsets are drawn with a
port of lib/core/random.ts's seededRandom and a partial Fisher-Yates shuffle, exactly as
lib/metrics/kid.ts draws them, so the two agree subset by subset.
"""
import json
import os
import sys

import numpy as np
import scipy.linalg

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "fid_kid_cases.json")
M32 = 0xFFFFFFFF


def imul(a, b):
    return (a * b) & M32


class SeededRandom:
    """Port of seededRandom() in lib/core/random.ts (mulberry32 with a mixed seed)."""

    def __init__(self, seed):
        self.state = (imul((int(seed) ^ 0x9E3779B9) & M32, 0x85EBCA6B) ^ 0x6D2B79F5) & M32

    def uniform(self):
        self.state = (self.state + 0x6D2B79F5) & M32
        t = self.state
        t = imul(t ^ (t >> 15), t | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & M32
        return ((t ^ (t >> 14)) & M32) / 4294967296.0

    def int(self, n):
        return int(np.floor(self.uniform() * n))


def sample_without_replacement(n, count, rng):
    pool = list(range(n))
    for i in range(count):
        j = i + rng.int(n - i)
        pool[i], pool[j] = pool[j], pool[i]
    return pool[:count]


def fid_sqrtm(a, b, eps=1e-6):
    mu1, mu2 = a.mean(axis=0), b.mean(axis=0)
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    diff = mu1 - mu2
    covmean, _ = scipy.linalg.sqrtm(s1.dot(s2), disp=False)
    if not np.isfinite(covmean).all():
        offset = np.eye(s1.shape[0]) * eps
        covmean = scipy.linalg.sqrtm((s1 + offset).dot(s2 + offset))
    covmean = covmean.real
    return float(diff.dot(diff) + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))


def fid_eigh(a, b):
    """The same distance through eigh of sqrt(S1) S2 sqrt(S1): a cross-check of sqrtm."""
    mu1, mu2 = a.mean(axis=0), b.mean(axis=0)
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    w, v = np.linalg.eigh(s1)
    root = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
    inner = root @ s2 @ root
    ev = np.linalg.eigvalsh((inner + inner.T) / 2)
    diff = mu1 - mu2
    return float(diff.dot(diff) + np.trace(s1) + np.trace(s2) - 2 * np.sqrt(np.clip(ev, 0, None)).sum())


def mmd2(x, y):
    m, d = x.shape
    kxx = (x @ x.T / d + 1) ** 3
    kyy = (y @ y.T / d + 1) ** 3
    kxy = (x @ y.T / d + 1) ** 3
    return float(
        (kxx.sum() - np.trace(kxx)) / (m * (m - 1))
        + (kyy.sum() - np.trace(kyy)) / (m * (m - 1))
        - 2 * kxy.sum() / (m * m)
    )


def kid(a, b, subsets, subset_size, seed):
    size = min(subset_size, len(a), len(b))
    rng = SeededRandom(seed)
    values = []
    for _ in range(subsets):
        ia = sample_without_replacement(len(a), size, rng)
        ib = sample_without_replacement(len(b), size, rng)
        values.append(mmd2(a[ia], b[ib]))
    values = np.array(values)
    return float(values.mean()), float(values.std())


def read(entry):
    data = np.fromfile(os.path.join(HERE, entry["file"]), dtype="<f8")
    return data.reshape(entry["rows"], entry["cols"])


def write_fixtures():
    rng = np.random.default_rng(20240501)
    cases = []

    def save(name, a, b, kid_options):
        entries = {}
        for key, x in (("a", a), ("b", b)):
            path = f"fixtures/{name}_{key}.f64"
            x.astype("<f8").tofile(os.path.join(HERE, path))
            entries[key] = {"file": path, "rows": x.shape[0], "cols": x.shape[1]}
        cases.append({"name": name, **entries, "kid": kid_options})

    os.makedirs(os.path.join(HERE, "fixtures"), exist_ok=True)
    # Full rank: two correlated Gaussians in 16 dimensions.
    d = 16
    a = rng.normal(size=(300, d)) @ rng.normal(size=(d, d)) * 0.5 + 1.0
    b = rng.normal(size=(250, d)) @ rng.normal(size=(d, d)) * 0.4 + 1.3
    save("full_rank", a, b, {"subsets": 20, "subsetSize": 100, "seed": 3})
    # Rank deficient: rank 6 and rank 10 in 24 dimensions, with three dead (all-zero) features,
    # like ReLU features that never fire.
    d = 24
    a = rng.normal(size=(200, 6)) @ rng.normal(size=(6, d)) + 2.0
    b = rng.normal(size=(180, 10)) @ rng.normal(size=(10, d)) * 0.8 + 1.5
    a[:, :3] = 0.0
    b[:, :3] = 0.0
    save("rank_deficient", a, b, {"subsets": 20, "subsetSize": 50, "seed": 7})
    # Fewer samples than dimensions: 20 and 30 samples in 40 dimensions.
    d = 40
    a = rng.normal(size=(20, d)) + 0.5
    b = rng.normal(size=(30, d)) * 1.2
    save("few_samples", a, b, {"subsets": 10, "subsetSize": 15, "seed": 11})
    with open(CASES, "w") as f:
        json.dump({"cases": cases}, f, indent=2)
        f.write("\n")


def main():
    if "--write-fixtures" in sys.argv:
        write_fixtures()
    with open(CASES) as f:
        cases = json.load(f)["cases"]
    out = {}
    for case in cases:
        a, b = read(case["a"]), read(case["b"])
        k = case["kid"]
        kid_mean, kid_std = kid(a, b, k["subsets"], k["subsetSize"], k["seed"])
        out[case["name"]] = {
            "fid": fid_sqrtm(a, b),
            "fidEigh": fid_eigh(a, b),
            "kidMean": kid_mean,
            "kidStd": kid_std,
        }
    json.dump(out, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
