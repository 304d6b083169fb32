/**
 * Divergences between two discrete distributions (histograms over the same bins): the
 * Kullback-Leibler and Jensen-Shannon divergences of the GAN and WGAN lectures, in nats.
 *
 * @module
 */

/**
 * Check two histograms over the same bins and scale each to sum to 1.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { normalizeHistograms } from "./divergences.ts";
 * assertEquals(normalizeHistograms([1, 3], [2, 2]), [ [ 0.25, 0.75 ], [ 0.5, 0.5 ] ]);
 * ```
 */
export function normalizeHistograms(
  p: ArrayLike<number>,
  q: ArrayLike<number>,
  what = "compare histograms",
): [number[], number[]] {
  if (p.length !== q.length || p.length === 0) {
    throw new Error(
      `Cannot ${what}: both histograms need the same, non-zero number of bins, got ${p.length} ` +
        `and ${q.length}`,
    );
  }
  return [normalize(p, "p", what), normalize(q, "q", what)];
}

function normalize(h: ArrayLike<number>, name: string, what: string): number[] {
  let total = 0;
  for (let i = 0; i < h.length; i++) {
    if (!(h[i] >= 0) || !Number.isFinite(h[i])) {
      throw new Error(
        `Cannot ${what}: ${name}[${i}] must be a finite non-negative mass, got ${h[i]}`,
      );
    }
    total += h[i];
  }
  if (!(total > 0)) {
    throw new Error(`Cannot ${what}: ${name} has no mass (all bins are 0)`);
  }
  return Array.from(h, (v) => v / total);
}

/**
 * KL(p || q) = sum_i p_i log(p_i / q_i) of two histograms (each scaled to sum to 1). Bins where
 * p is 0 add nothing; a bin where p > 0 and q = 0 makes the divergence `Infinity`: p puts mass
 * where q has none, as for the parallel lines at theta != 0.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { klDivergence } from "./divergences.ts";
 * assertEquals(klDivergence([0.5, 0.5], [0.5, 0.5]), 0);
 * assertEquals(klDivergence([1, 0], [0, 1]), Infinity);
 * ```
 */
export function klDivergence(p: ArrayLike<number>, q: ArrayLike<number>): number {
  const [a, b] = normalizeHistograms(p, q, "compute the KL divergence");
  return klOfNormalized(a, b);
}

function klOfNormalized(a: number[], b: number[]): number {
  let total = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === 0) continue;
    if (b[i] === 0) return Infinity;
    total += a[i] * Math.log(a[i] / b[i]);
  }
  return Math.max(total, 0);
}

/**
 * JS(p, q) = KL(p || m) / 2 + KL(q || m) / 2 with m = (p + q) / 2, in nats: symmetric, always
 * finite, between 0 (same histograms) and log 2 (no bin shared), however far apart the
 * non-overlapping masses are.
 *
 * @example Disjoint histograms are log 2 apart
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { jsDivergence } from "./divergences.ts";
 * assert(jsDivergence([1, 0, 0], [0, 0, 1]) === Math.log(2));
 * ```
 */
export function jsDivergence(p: ArrayLike<number>, q: ArrayLike<number>): number {
  const [a, b] = normalizeHistograms(p, q, "compute the JS divergence");
  const m = a.map((v, i) => (v + b[i]) / 2);
  return klOfNormalized(a, m) / 2 + klOfNormalized(b, m) / 2;
}
