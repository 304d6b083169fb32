import { deepStrictEqual as assertEquals, ok as assert, throws } from "node:assert/strict";
import { seededRandom } from "../lib/core/random.ts";
import { jsDivergence, klDivergence } from "../lib/metrics/divergences.ts";
import {
  kantorovichPotential1d,
  transportPlan1d,
  wasserstein1d,
} from "../lib/metrics/transport.ts";

const close = (a: number, b: number, tol = 1e-9) => Math.abs(a - b) <= tol;

Deno.test("klDivergence() matches the hand-computed value and is Infinity off q's support", () => {
  const expected = 0.5 * Math.log(0.5 / 0.25) + 0.5 * Math.log(0.5 / 0.75);
  assert(close(klDivergence([1, 1], [1, 3]), expected)); // unnormalised input is scaled
  assertEquals(klDivergence([0.5, 0.5, 0], [0.5, 0.25, 0.25]) < Infinity, true);
  assertEquals(klDivergence([0.5, 0.25, 0.25], [0.5, 0.5, 0]), Infinity);
  assertEquals(klDivergence([0.2, 0.8], [0.2, 0.8]), 0);
});

Deno.test("jsDivergence() is symmetric, 0 for equal and log 2 for disjoint histograms", () => {
  const p = [0.1, 0.6, 0.3], q = [0.5, 0.2, 0.3];
  assert(close(jsDivergence(p, q), jsDivergence(q, p)));
  assert(jsDivergence(p, q) > 0 && jsDivergence(p, q) < Math.log(2));
  assertEquals(jsDivergence(p, p), 0);
  // However far apart the two masses are, the JS divergence stays log 2.
  assertEquals(jsDivergence([1, 0, 0, 0], [0, 1, 0, 0]), Math.log(2));
  assertEquals(jsDivergence([1, 0, 0, 0], [0, 0, 0, 1]), Math.log(2));
});

Deno.test("divergences reject mismatched, negative and empty histograms with a clear error", () => {
  throws(() => klDivergence([1, 0], [1]), /same, non-zero number of bins, got 2 and 1/);
  throws(() => jsDivergence([1, -1], [1, 1]), /p\[1\] must be a finite non-negative mass/);
  throws(() => jsDivergence([0, 0], [1, 1]), /p has no mass/);
});

Deno.test("transportPlan1d() has the marginals p and q and the CDF-area cost", () => {
  const p = [0.1, 0.3, 0.2, 0.1, 0.2, 0.1], q = [0.3, 0.05, 0.05, 0.2, 0.1, 0.3];
  const positions = [0, 1, 2, 4, 5, 7];
  const { plan, cost } = transportPlan1d(p, q, { positions });
  plan.forEach((row, i) => assert(close(row.reduce((s, v) => s + v, 0), p[i])));
  q.forEach((qj, j) => assert(close(plan.reduce((s, row) => s + row[j], 0), qj)));
  // Monotone plan: no mass crosses another (i < i' and j > j' never both carry mass).
  for (let i = 0; i < 6; i++) {
    for (let j = 0; j < 6; j++) {
      for (let i2 = i + 1; i2 < 6; i2++) {
        for (let j2 = 0; j2 < j; j2++) assert(plan[i][j] === 0 || plan[i2][j2] === 0);
      }
    }
  }
  let area = 0, cdfP = 0, cdfQ = 0;
  for (let k = 0; k + 1 < 6; k++) {
    cdfP += p[k];
    cdfQ += q[k];
    area += Math.abs(cdfP - cdfQ) * (positions[k + 1] - positions[k]);
  }
  assert(close(cost, area), `${cost} vs ${area}`);
});

Deno.test("transportPlan1d() of a shifted histogram costs the shift; of itself costs 0", () => {
  assert(close(transportPlan1d([0.25, 0.75, 0, 0], [0, 0, 0.25, 0.75]).cost, 2));
  const same = transportPlan1d([2, 1, 1], [2, 1, 1]);
  assertEquals(same.cost, 0);
  assertEquals(same.plan, [[0.5, 0, 0], [0, 0.25, 0], [0, 0, 0.25]]);
  throws(() => transportPlan1d([1, 1], [1, 1], { positions: [1, 0] }), /strictly increasing/);
  throws(() => transportPlan1d([1, 1], [1, 1], { positions: [0] }), /one position per bin \(2\)/);
});

Deno.test("kantorovichPotential1d() is 1-Lipschitz and its dual value equals the plan's cost", () => {
  const random = seededRandom(4);
  for (let trial = 0; trial < 20; trial++) {
    const n = 2 + random.int(8);
    const p = Array.from({ length: n }, () => random.uniform());
    const q = Array.from({ length: n }, () => random.uniform());
    const positions: number[] = [];
    for (let k = 0, x = 0; k < n; k++) positions.push(x += 0.1 + random.uniform());
    const f = kantorovichPotential1d(p, q, { positions });
    for (let k = 0; k + 1 < n; k++) {
      const slope = Math.abs(f[k + 1] - f[k]) / (positions[k + 1] - positions[k]);
      assert(slope <= 1 + 1e-12);
    }
    const sp = p.reduce((a, b) => a + b), sq = q.reduce((a, b) => a + b);
    const dual = f.reduce((s, v, i) => s + v * (p[i] / sp - q[i] / sq), 0);
    const { cost } = transportPlan1d(p, q, { positions });
    assert(close(dual, cost), `dual ${dual} vs primal ${cost}`);
  }
});

Deno.test("wasserstein1d() of samples: a shift by t costs |t|; matches sorted pairing", () => {
  const random = seededRandom(9);
  const a = Array.from({ length: 200 }, () => random.normal());
  assert(close(wasserstein1d(a, a.map((v) => v - 0.7)), 0.7));
  const b = Array.from({ length: 200 }, () => 2 * random.uniform());
  const sa = [...a].sort((x, y) => x - y), sb = [...b].sort((x, y) => x - y);
  const paired = sa.reduce((s, v, i) => s + Math.abs(v - sb[i]), 0) / 200;
  assert(close(wasserstein1d(a, b), paired));
  // Different sizes: {0} vs {0, 1} moves half the mass by 1.
  assert(close(wasserstein1d([0], [0, 1]), 0.5));
  throws(() => wasserstein1d([], [1]), /at least one value, got 0 and 1/);
  throws(() => wasserstein1d([NaN], [1]), /not finite/);
});
