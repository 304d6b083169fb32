import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { initBackend } from "../lib/backend.ts";
import { groupMeans, interpolateLatents, latentArithmetic } from "../lib/latent.ts";

await initBackend({ backend: "wasm" });

function close(actual: number[], expected: number[], tolerance = 1e-5): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((v, i) =>
    assert.ok(Math.abs(v - expected[i]) <= tolerance, `${actual} vs ${expected}`)
  );
}

Deno.test("interpolateLatents() starts at from, ends at to, for both methods", () => {
  const from = tf.randomNormal([3, 16], 0, 1, "float32", 1);
  const to = tf.randomNormal([3, 16], 0, 1, "float32", 2);
  for (const method of ["linear", "spherical"] as const) {
    const z = interpolateLatents(from, to, { steps: 4, method });
    assert.deepEqual(z.shape, [12, 16]);
    const rows = z.arraySync();
    const fromRows = from.arraySync() as number[][], toRows = to.arraySync() as number[][];
    for (let pair = 0; pair < 3; pair++) {
      close(rows[pair * 4], fromRows[pair]);
      close(rows[pair * 4 + 3], toRows[pair]);
    }
    z.dispose();
  }
  tf.dispose([from, to]);
});

Deno.test("interpolateLatents() spherical keeps the norm of equal-norm vectors; linear does not", () => {
  const a = tf.randomNormal([1, 100], 0, 1, "float32", 3);
  const b0 = tf.randomNormal([1, 100], 0, 1, "float32", 4);
  const b = b0.div(b0.norm()).mul(a.norm()); // same norm as a
  const norms = (method: "linear" | "spherical") =>
    tf.tidy(() => interpolateLatents(a, b, { steps: 9, method }).norm("euclidean", 1))
      .arraySync() as number[];
  const target = a.norm().arraySync() as number;
  close(norms("spherical"), Array(9).fill(target), 1e-3 * target);
  assert.ok(norms("linear")[4] < 0.85 * target); // lerp's midpoint falls inside the shell
  tf.dispose([a, b0, b]);
});

Deno.test("interpolateLatents() slerp of orthogonal unit vectors follows the unit circle", () => {
  const z = interpolateLatents([1, 0], [0, 1], { steps: 5 });
  const rows = z.arraySync();
  z.dispose();
  rows.forEach((row, i) => {
    const angle = (Math.PI / 2) * (i / 4);
    close(row, [Math.cos(angle), Math.sin(angle)]);
  });
});

Deno.test("interpolateLatents() falls back to lerp for parallel, opposite and zero vectors", () => {
  const cases: [number[], number[]][] = [[[1, 2], [2, 4]], [[1, 2], [-1, -2]], [[0, 0], [1, 1]]];
  for (const [from, to] of cases) {
    const spherical = interpolateLatents(from, to, { steps: 3 });
    const linear = interpolateLatents(from, to, { steps: 3, method: "linear" });
    const s = spherical.arraySync(), l = linear.arraySync();
    s.flat().forEach((v) => assert.ok(Number.isFinite(v)));
    close(s.flat(), l.flat());
    tf.dispose([spherical, linear]);
  }
});

Deno.test("interpolateLatents() leaks no tensor and explains bad input", () => {
  const a = tf.ones([2, 4]), b = tf.zeros([2, 4]);
  const before = tf.memory().numTensors;
  interpolateLatents(a, b).dispose();
  assert.equal(tf.memory().numTensors, before);
  assert.throws(() => interpolateLatents(a, tf.ones([3, 4])), /same shape/);
  assert.throws(() => interpolateLatents(a, b, { steps: 1 }), /steps must be an integer >= 2/);
  tf.dispose([a, b]);
});

Deno.test("latentArithmetic() is mean(A) - mean(B) + mean(C), with seeded variations", () => {
  const terms = [
    { z: [[1, 2], [3, 4]], sign: 1 as const },
    { z: [[1, 1], [1, 1], [1, 1]], sign: -1 as const },
    { z: [0.5, -0.5], sign: 1 as const },
  ];
  const exact = latentArithmetic(terms);
  close(exact.arraySync()[0], [2 - 1 + 0.5, 3 - 1 - 0.5]);
  const first = latentArithmetic(terms, { variations: 3, noise: 0.1, seed: 7 });
  const again = latentArithmetic(terms, { variations: 3, noise: 0.1, seed: 7 });
  assert.deepEqual(first.shape, [4, 2]);
  assert.deepEqual(first.arraySync(), again.arraySync());
  close(first.arraySync()[0], exact.arraySync()[0]);
  first.arraySync().slice(1).forEach((row) => close(row, exact.arraySync()[0], 0.6));
  const means = groupMeans(terms);
  close(means.arraySync().flat(), [2, 3, 1, 1, 0.5, -0.5]);
  tf.dispose([exact, first, again, means]);
  assert.throws(() => latentArithmetic([]), /no terms given/);
  assert.throws(
    () => latentArithmetic([{ z: [1, 2], sign: 1 }, { z: [1, 2, 3], sign: 1 }]),
    /different latentDim/,
  );
});
