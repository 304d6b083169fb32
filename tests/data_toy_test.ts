import * as tf from "@tensorflow/tfjs";
import { deepStrictEqual as assertEquals, ok as assert, throws } from "node:assert/strict";
import { initBackend } from "../lib/backend.ts";
import {
  gridModes,
  mixture1dDensity,
  mixture1dModes,
  ringModes,
  sampleGrid,
  sampleMixture1d,
  sampleParallelLines,
  sampleRing,
  sampleSwissRoll,
} from "../lib/data/toy.ts";

await initBackend();

function take(t: tf.Tensor2D): number[][] {
  const rows = t.arraySync();
  t.dispose();
  return rows;
}

Deno.test("toy samplers return [n, 2] (or [n, 1]) float32 tensors", () => {
  for (const t of [sampleRing(10), sampleGrid(10), sampleSwissRoll(10), sampleParallelLines(10)]) {
    assertEquals(t.shape, [10, 2]);
    assertEquals(t.dtype, "float32");
    t.dispose();
  }
  const x = sampleMixture1d(10);
  assertEquals(x.shape, [10, 1]);
  x.dispose();
  const empty = sampleRing(0);
  assertEquals(empty.shape, [0, 2]);
  empty.dispose();
});

Deno.test("toy samplers are deterministic: same seed same points, other seed other points", () => {
  for (const sampler of [sampleRing, sampleGrid, sampleSwissRoll, sampleMixture1d]) {
    const a = take(sampler(50, { seed: 5 }));
    assertEquals(a, take(sampler(50, { seed: 5 })));
    assert(JSON.stringify(a) !== JSON.stringify(take(sampler(50, { seed: 6 }))));
  }
});

Deno.test("sampleRing() puts points within 4 std of the 8 centres, all modes used about equally", () => {
  const { centres, std } = ringModes();
  const counts = new Array(8).fill(0);
  for (const [x, y] of take(sampleRing(4000, { seed: 1 }))) {
    const distances = centres.map(([cx, cy]) => Math.hypot(x - cx, y - cy));
    const nearest = distances.indexOf(Math.min(...distances));
    assert(distances[nearest] < 4 * std + 0.01);
    counts[nearest]++;
  }
  assert(counts.every((c) => c > 400 && c < 600), `counts ${counts}`);
  // The sample std around a centre is close to 0.02.
  const points = take(sampleRing(2000, { seed: 2, modes: 1 }));
  const xs = points.map(([x]) => x - 2);
  const sd = Math.sqrt(xs.reduce((s, v) => s + v * v, 0) / xs.length);
  assert(Math.abs(sd - 0.02) < 0.002, `std ${sd}`);
});

Deno.test("sampleGrid() covers 25 centres at -4..4 with std 0.05", () => {
  const { centres, std } = gridModes();
  assertEquals(centres.length, 25);
  assertEquals(std, 0.05);
  const seen = new Set<number>();
  for (const [x, y] of take(sampleGrid(2000, { seed: 3 }))) {
    const i = Math.round((x + 4) / 2);
    const j = Math.round((y + 4) / 2);
    assert(Math.abs(x - centres[i * 5 + j][0]) < 0.3 && Math.abs(y - centres[i * 5 + j][1]) < 0.3);
    seen.add(i * 5 + j);
  }
  assertEquals(seen.size, 25);
});

Deno.test("sampleSwissRoll() without noise lies on the spiral r = t / 7.5, t in [1.5 pi, 4.5 pi]", () => {
  for (const [x, y] of take(sampleSwissRoll(300, { noise: 0 }))) {
    const t = Math.hypot(x, y) * 7.5;
    assert(t >= 1.5 * Math.PI - 1e-4 && t <= 4.5 * Math.PI + 1e-4);
    assert(
      Math.abs(Math.cos(t) * t / 7.5 - x) < 1e-4 && Math.abs(Math.sin(t) * t / 7.5 - y) < 1e-4,
    );
  }
});

Deno.test("sampleMixture1d() follows its weights and mixture1dDensity() matches a histogram", () => {
  const options = { means: [-3, 0, 4], stds: [0.3, 1, 0.5], weights: [1, 2, 1], seed: 9 };
  const xs = take(sampleMixture1d(20000, options)).map(([x]) => x);
  const near = (m: number, s: number) =>
    xs.filter((x) => Math.abs(x - m) < 3 * s).length / xs.length;
  assert(Math.abs(near(-3, 0.3) - 0.25) < 0.02);
  assert(Math.abs(near(4, 0.5) - 0.25) < 0.02);
  // Histogram density in [-0.25, 0.25] against the formula.
  const empirical = xs.filter((x) => Math.abs(x) < 0.25).length / xs.length / 0.5;
  const [exact] = mixture1dDensity([0], options);
  assert(Math.abs(empirical - exact) < 0.02, `${empirical} vs ${exact}`);
  assertEquals(mixture1dModes(options).centres, [[-3], [0], [4]]);
});

Deno.test("sampleParallelLines() puts every point at x = theta with z in [0, 1)", () => {
  for (const theta of [0, 0.7, -1]) {
    for (const [x, z] of take(sampleParallelLines(200, { theta, seed: 1 }))) {
      assert(Math.abs(x - theta) < 1e-7 && z >= 0 && z < 1);
    }
  }
});

Deno.test("toy samplers reject bad arguments with a message that names them", () => {
  throws(() => sampleRing(-1), /n must be a non-negative integer, got -1/);
  throws(() => sampleRing(10, { std: 0 }), /std must be a positive number, got 0/);
  throws(() => sampleGrid(10, { side: 2.5 }), /side must be a positive integer/);
  throws(() => sampleMixture1d(10, { means: [0, 1], stds: [1] }), /same non-zero length/);
  throws(() => sampleMixture1d(10, { weights: [0, 0] }), /not all 0/);
  throws(() => sampleParallelLines(10, { theta: NaN }), /theta must be a finite number/);
});
