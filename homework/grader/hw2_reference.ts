/**
 * The gradient penalty the grader gives a student's critic loop: the reference penalty with alphas
 * from a seeded stream, so the grader can replay the student's step exactly.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { gradientPenalty as referencePenalty } from "../solutions/hw2_wgan_gp.ts";

let calls = 0;

/** Restart the alpha stream (before a step and before its replay). */
export function resetAlphaStream(): void {
  calls = 0;
}

/** The reference penalty; alpha ~ U[0, 1] per sample from the seeded stream when not given. */
export function gradientPenalty(
  critic: (x: tf.Tensor) => tf.Tensor,
  realImages: tf.Tensor,
  fakeImages: tf.Tensor,
  options: { lambda?: number; alpha?: tf.Tensor1D } = {},
): tf.Scalar {
  return tf.tidy(() => {
    const seed = 500 + calls++;
    const alpha = options.alpha ?? tf.randomUniform([realImages.shape[0]], 0, 1, "float32", seed);
    return referencePenalty(critic, realImages, fakeImages, { ...options, alpha }) as tf.Scalar;
  });
}
