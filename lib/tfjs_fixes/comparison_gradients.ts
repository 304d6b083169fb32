/**
 * Zero gradients for the comparison kernels.
 *
 * tfjs builds the gradients of LeakyReLU, ReLU-like masks and `where` from `greater`, `less` and
 * friends, but registers no gradient for those comparisons. A first derivative never needs one; a
 * second derivative does (the WGAN-GP gradient penalty differentiates the critic's input gradient),
 * and fails with "gradient function not found for Greater". A comparison is piecewise constant, so
 * its gradient is zero wherever it is defined.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** The kernels that get a zero gradient. */
export const COMPARISON_KERNELS: readonly string[] = [
  "Greater",
  "GreaterEqual",
  "Less",
  "LessEqual",
  "Equal",
  "NotEqual",
];

/**
 * Register a zero gradient for every comparison kernel that lacks one. Safe to call repeatedly.
 *
 * @example Second derivative through LeakyReLU
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { registerComparisonGradients } from "./comparison_gradients.ts";
 * registerComparisonGradients();
 * const f = (y: tf.Tensor) => tf.leakyRelu(y, 0.2).square().sum();
 * const d2 = tf.grad((x: tf.Tensor) => tf.grad(f)(x).sum());
 * const second = Array.from(d2(tf.tensor1d([1, -1])).dataSync(), (v) => +v.toFixed(6));
 * assertEquals(second, [2, 0.08]);
 * ```
 */
export function registerComparisonGradients(): void {
  for (const kernelName of COMPARISON_KERNELS) {
    if (tf.getGradient(kernelName) !== undefined) continue;
    tf.registerGradient({
      kernelName,
      inputsToSave: ["a", "b"],
      gradFunc: (_dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => ({
        a: () => tf.zerosLike(saved[0]),
        b: () => tf.zerosLike(saved[1]),
      }),
    });
  }
}
