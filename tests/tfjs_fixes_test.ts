// The gradient fixes of lib/tfjs_fixes on the wasm backend (with the engine's kernels, as
// initBackend() sets it up): second derivatives (WGAN-GP), MirrorPad and batch norm.
import * as tf from "@tensorflow/tfjs";
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { initBackend } from "../lib/backend.ts";
import { mirrorPadBackward } from "@course/lib/tfjs_fixes";

await initBackend({ backend: "wasm" });

/** Seeded standard-normal values. */
function seededValues(shape: number[], seed: number): Float32Array {
  return tf.tidy(() => tf.randomNormal(shape, 0, 1, "float32", seed).dataSync() as Float32Array);
}

/** A tiny LeakyReLU conv critic: [n, 6, 6, 1] -> [n, 1]. */
function critic(x: tf.Tensor, w: tf.Tensor, v: tf.Tensor): tf.Tensor {
  const h = tf.leakyRelu(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, "same"), 0.2); // [n, 3, 3, 2]
  return tf.matMul(tf.reshape(h, [x.shape[0], 18]), v as tf.Tensor2D);
}

/** WGAN-GP penalty: mean over the batch of (||d critic / d x|| - 1)^2. */
function penalty(x: tf.Tensor, w: tf.Tensor, v: tf.Tensor): tf.Tensor {
  const dx = tf.grad((xx: tf.Tensor) => critic(xx, w, v).sum())(x);
  return tf.sqrt(tf.square(dx).sum([1, 2, 3])).sub(1).square().mean();
}

Deno.test("gradient penalty's weight gradient on wasm matches central finite differences", () => {
  const x = tf.tensor(seededValues([3, 6, 6, 1], 41), [3, 6, 6, 1]);
  const w = tf.tensor(seededValues([3, 3, 1, 2], 42), [3, 3, 1, 2]);
  const v = tf.tensor(seededValues([18, 1], 43), [18, 1]);
  const analytic = tf.grad((ww: tf.Tensor) => penalty(x, ww, v))(w).dataSync();
  const h = 1e-2;
  const base = w.dataSync();
  for (const index of [0, 4, 9, 17]) {
    const at = (delta: number) =>
      tf.tidy(() => {
        const shifted = base.slice();
        shifted[index] += delta;
        return penalty(x, tf.tensor(shifted, w.shape), v).dataSync()[0];
      });
    const numeric = (at(h) - at(-h)) / (2 * h);
    const error = Math.abs(numeric - analytic[index]);
    assert(
      error < 2e-2 * Math.max(1, Math.abs(numeric)),
      `weight ${index}: analytic ${analytic[index]}, finite difference ${numeric}`,
    );
  }
  tf.dispose([x, w, v]);
});

Deno.test("mirrorPadBackward() folds reflected borders back onto the input", async () => {
  for (const mode of ["reflect", "symmetric"] as const) {
    const shape = [2, 5, 6, 3];
    const paddings: Array<[number, number]> = [[0, 0], [2, 1], [3, 2], [0, 0]];
    const x = tf.tensor(seededValues(shape, 50), shape);
    const dy = tf.tensor(seededValues([2, 8, 11, 3], 51), [2, 8, 11, 3]);
    // The padding is linear, so <pad(x), dy> = <x, pad^T(dy)> for every x.
    const lhs = tf.mirrorPad(x, paddings, mode).mul(dy).sum().dataSync()[0];
    const rhs = x.mul(mirrorPadBackward(dy, paddings, mode)).sum().dataSync()[0];
    assert(Math.abs(lhs - rhs) < 1e-3, `${mode}: ${lhs} vs ${rhs}`);
    const viaTape = tf.grad((t: tf.Tensor) => tf.mirrorPad(t, paddings, mode).mul(dy).sum())(x);
    const direct = mirrorPadBackward(dy, paddings, mode);
    assertEquals(await viaTape.data(), await direct.data());
    tf.dispose([x, dy, viaTape, direct]);
  }
  const g = tf.grad((t: tf.Tensor) => tf.mirrorPad(t, [[1, 1]], "reflect").sum());
  assertEquals(Array.from(await g(tf.tensor1d([1, 2, 3])).data()), [1, 3, 1]);
});

Deno.test("batchNorm's registered gradient equals the gradient of its formula", () => {
  const x = tf.tensor(seededValues([4, 3, 3, 5], 110), [4, 3, 3, 5]);
  const params = [111, 112, 113, 114].map((seed) => tf.tensor(seededValues([5], seed), [5]));
  const [mean, , offset, scale] = params;
  const variance = params[1].square().add(0.5);
  const epsilon = 1e-3;
  const fused = (a: tf.Tensor, m: tf.Tensor, v: tf.Tensor, o: tf.Tensor, s: tf.Tensor) =>
    tf.batchNorm(a, m, v, o, s, epsilon).square().sum();
  const formula = (a: tf.Tensor, m: tf.Tensor, v: tf.Tensor, o: tf.Tensor, s: tf.Tensor) =>
    a.sub(m).mul(s).mul(tf.rsqrt(v.add(epsilon))).add(o).square().sum();
  const inputs = [x, mean, variance, offset, scale];
  const ours = tf.grads(fused)(inputs);
  const reference = tf.grads(formula)(inputs);
  for (let k = 0; k < inputs.length; k++) {
    // The largest difference relative to the larger of 1 and the largest reference value.
    const difference = tf.sub(ours[k], reference[k]).abs().max().dataSync()[0];
    const error = difference / Math.max(1, reference[k].abs().max().dataSync()[0]);
    assert(error < 1e-4, `input ${k}: error ${error}`);
  }
  tf.dispose([...inputs, ...params, ...ours, ...reference]);
});
