/**
 * Optimal transport in one dimension, exactly: the Earth Mover's (1-Wasserstein) distance between
 * two histograms with the transport plan that achieves it, the distance between two samples, and
 * the optimal 1-Lipschitz critic of the Kantorovich-Rubinstein dual. In 1-D with the cost
 * |x - y| the monotone plan (fill the targets from left to right) is optimal, so no linear
 * program is needed: W1 = integral of |F_P(x) - F_Q(x)| dx over the two CDFs.
 *
 * @module
 */
import { normalizeHistograms } from "./divergences.ts";

/** What {@linkcode transportPlan1d} returns. */
export interface TransportPlan {
  /** `plan[i][j]`: mass moved from position i of p to position j of q (rows sum to p, columns to q). */
  plan: number[][];
  /** The plan's cost sum_ij plan[i][j] |x_i - x_j|: the Earth Mover's distance W1(p, q). */
  cost: number;
  /** The bin positions used. */
  positions: number[];
}

/** Options of {@linkcode transportPlan1d} and {@linkcode kantorovichPotential1d}. */
export interface Transport1dOptions {
  /** Position of each bin, strictly increasing. Default `0, 1, 2, ...`. */
  positions?: ArrayLike<number>;
}

function binPositions(n: number, options: Transport1dOptions, what: string): number[] {
  const positions = options.positions ? Array.from(options.positions) : [...Array(n).keys()];
  if (positions.length !== n) {
    throw new Error(
      `Cannot ${what}: positions must give one position per bin (${n}), got ${positions.length}`,
    );
  }
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(positions[i]) || (i > 0 && !(positions[i] > positions[i - 1]))) {
      throw new Error(
        `Cannot ${what}: positions must be finite and strictly increasing, got ` +
          `[${positions.join(", ")}]`,
      );
    }
  }
  return positions;
}

/**
 * The optimal transport plan between two histograms over the same 1-D bins (each scaled to sum
 * to 1) under the cost |x - y|, and its cost, the Earth Mover's distance. The plan is the monotone
 * ("north-west corner") coupling: the leftmost remaining mass of p always goes to the leftmost
 * remaining mass of q.
 *
 * @example Move half the mass one bin to the right
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { transportPlan1d } from "./transport.ts";
 * const { plan, cost } = transportPlan1d([0.5, 0.5, 0], [0.5, 0, 0.5]);
 * assertEquals(plan, [ [ 0.5, 0, 0 ], [ 0, 0, 0.5 ], [ 0, 0, 0 ] ]);
 * assertEquals(cost, 0.5);
 * ```
 */
export function transportPlan1d(
  p: ArrayLike<number>,
  q: ArrayLike<number>,
  options: Transport1dOptions = {},
): TransportPlan {
  const what = "compute a transport plan";
  const [a, b] = normalizeHistograms(p, q, what);
  const n = a.length;
  const positions = binPositions(n, options, what);
  const plan = a.map(() => new Array<number>(n).fill(0));
  let cost = 0;
  let i = 0, j = 0;
  let left = a[0], need = b[0];
  const eps = 1e-12;
  while (i < n && j < n) {
    const move = Math.min(left, need);
    if (move > 0) {
      plan[i][j] += move;
      cost += move * Math.abs(positions[i] - positions[j]);
    }
    left -= move;
    need -= move;
    // Advance past exhausted bins (rounding leaves tiny residues, hence eps).
    if (left <= eps) left = ++i < n ? a[i] : 0;
    if (need <= eps) need = ++j < n ? b[j] : 0;
  }
  return { plan, cost, positions };
}

/**
 * The 1-Wasserstein distance between two 1-D samples (any sizes): the area between their
 * empirical CDFs, integral |F_a(x) - F_b(x)| dx. Equal to the mean |a_i - b_i| of the sorted
 * samples when both have the same size.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { wasserstein1d } from "./transport.ts";
 * assertEquals(wasserstein1d([0, 1, 2], [1, 2, 3]), 1);
 * ```
 */
export function wasserstein1d(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length === 0 || b.length === 0) {
    throw new Error(
      `Cannot compute W1: both samples need at least one value, got ${a.length} and ${b.length}`,
    );
  }
  const check = (values: ArrayLike<number>, name: string) => {
    const sorted = Float64Array.from(values).sort();
    if (!sorted.every(Number.isFinite)) {
      throw new Error(`Cannot compute W1: sample ${name} has a value that is not finite`);
    }
    return sorted;
  };
  const x = check(a, "a"), y = check(b, "b");
  let i = 0, j = 0, total = 0;
  let previous = Math.min(x[0], y[0]);
  // Walk the merged sorted values; between two of them both CDFs are constant.
  while (i < x.length || j < y.length) {
    const next = j >= y.length || (i < x.length && x[i] <= y[j]) ? x[i] : y[j];
    total += Math.abs(i / x.length - j / y.length) * (next - previous);
    previous = next;
    while (i < x.length && x[i] === next) i++;
    while (j < y.length && y[j] === next) j++;
  }
  return total;
}

/**
 * The optimal critic of the Kantorovich-Rubinstein dual
 * W1(p, q) = max over 1-Lipschitz f of E_p f - E_q f, for two histograms over 1-D bins: a
 * function with slope -1 or +1 between bins (so exactly 1-Lipschitz), falling where p's CDF is
 * ahead of q's. Its value at each bin position, starting from 0 at the first; then
 * `sum_i f_i (p_i - q_i)` equals `transportPlan1d(p, q).cost`.
 *
 * @example The dual value equals the transport cost
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { kantorovichPotential1d, transportPlan1d } from "./transport.ts";
 * const p = [0.5, 0.5, 0], q = [0.5, 0, 0.5];
 * const f = kantorovichPotential1d(p, q);
 * const dual = f.reduce((sum, v, i) => sum + v * (p[i] - q[i]), 0);
 * assertEquals([f, dual, transportPlan1d(p, q).cost], [[ 0, 0, -1 ], 0.5, 0.5]);
 * ```
 */
export function kantorovichPotential1d(
  p: ArrayLike<number>,
  q: ArrayLike<number>,
  options: Transport1dOptions = {},
): number[] {
  const what = "compute the Kantorovich potential";
  const [a, b] = normalizeHistograms(p, q, what);
  const positions = binPositions(a.length, options, what);
  const f = [0];
  let cdfGap = 0;
  for (let k = 0; k + 1 < a.length; k++) {
    cdfGap += a[k] - b[k]; // F_p(x_k) - F_q(x_k)
    const step = positions[k + 1] - positions[k];
    f.push(f[k] - Math.sign(Math.abs(cdfGap) < 1e-12 ? 0 : cdfGap) * step);
  }
  return f;
}
