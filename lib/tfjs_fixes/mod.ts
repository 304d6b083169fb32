/**
 * Gradients every backend needs that stock TensorFlow.js 4.22 lacks or computes slowly: zero
 * gradients for the comparison kernels (second derivatives, WGAN-GP), the gradient of `MirrorPad`
 * (CycleGAN's reflection padding) and a broadcasting batch-norm gradient. `initBackend()` registers
 * them on whichever backend it picks.
 *
 * @module
 */
import { registerBatchNormGradient } from "./batch_norm_gradient.ts";
import { registerComparisonGradients } from "./comparison_gradients.ts";
import { registerMirrorPadGradient } from "./mirror_pad_gradient.ts";

export { registerBatchNormGradient } from "./batch_norm_gradient.ts";
export { COMPARISON_KERNELS, registerComparisonGradients } from "./comparison_gradients.ts";
export { mirrorPadBackward, registerMirrorPadGradient } from "./mirror_pad_gradient.ts";

/**
 * Register the gradient fixes (gradients are shared by every backend). Safe to call repeatedly;
 * `initBackend()` calls it, so call it yourself only when you set up tfjs without `initBackend()`.
 *
 * @example A second derivative through LeakyReLU needs the comparison gradients
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { registerGradientFixes } from "@course/lib/tfjs_fixes";
 * await tf.setBackend("cpu");
 * registerGradientFixes();
 * const f = (x: tf.Tensor) => tf.leakyRelu(x, 0.2).square().sum();
 * const d2 = tf.grad((x: tf.Tensor) => tf.grad(f)(x).sum());
 * const second = Array.from(d2(tf.tensor1d([1, -1])).dataSync(), (v) => +v.toFixed(6));
 * assertEquals(second, [2, 0.08]);
 * ```
 */
export function registerGradientFixes(): void {
  registerComparisonGradients();
  registerMirrorPadGradient();
  registerBatchNormGradient();
}
