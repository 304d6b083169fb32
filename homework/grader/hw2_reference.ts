/**
 * The seeded alpha stream the grader gives a student's critic loop: `seededPenalty(reference)` is
 * the reference penalty with alphas drawn from a seeded stream, so the grader can replay the
 * student's step exactly. The sandboxed child wraps the reference it is given (see
 * `CodeItem.wrapOthers`); this module holds no answer itself.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** A gradient penalty function. */
export type PenaltyFunction = (
  critic: (x: tf.Tensor) => tf.Tensor,
  realImages: tf.Tensor,
  fakeImages: tf.Tensor,
  options?: { lambda?: number; alpha?: tf.Tensor1D },
) => tf.Scalar;

let calls = 0;

/** Restart the alpha stream (before a step and before its replay); see {@linkcode seededPenalty}. */
export function resetAlphaStream(): void {
  calls = 0;
}

/**
 * `reference` with alpha ~ U[0, 1] per sample from the seeded stream when not given.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { resetAlphaStream, seededPenalty } from "./hw2_reference.ts";
 * const seen: number[][] = [];
 * const spy = seededPenalty((_critic, real, _fake, options) => {
 *   seen.push(Array.from(options!.alpha!.dataSync()));
 *   return tf.scalar(0);
 * });
 * const x = tf.ones([3, 2]);
 * resetAlphaStream();
 * spy((t) => t, x, x).dispose();
 * resetAlphaStream();
 * spy((t) => t, x, x).dispose();
 * assertEquals(seen[0], seen[1]); // the same alphas after a reset: the replay can match
 * x.dispose();
 * ```
 */
export function seededPenalty(reference: PenaltyFunction): PenaltyFunction {
  return (critic, realImages, fakeImages, options = {}) =>
    tf.tidy(() => {
      const seed = 500 + calls++;
      const alpha = options.alpha ??
        tf.randomUniform([realImages.shape[0]], 0, 1, "float32", seed);
      return reference(critic, realImages, fakeImages, { ...options, alpha });
    });
}
