/**
 * Latent-space walks: linear and spherical interpolation between latent vectors, and latent
 * arithmetic (DCGAN's "smiling woman - neutral woman + neutral man = smiling man"). Each function
 * returns a batch of latent vectors `[rows, latentDim]` to feed a generator; render it with
 * `latentStripPng` from `lib/viz/latent_strip.ts`.
 *
 * Why spherical: a Gaussian latent z ~ N(0, I) of dimension d concentrates near the sphere of
 * radius sqrt(d). The midpoint of a straight line between two such points is shorter (about
 * sqrt(d/2) for orthogonal ones), a region the generator rarely saw; slerp stays on the shell.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { tfSeed } from "./core/random.ts";

/** A latent vector or a batch of them: `[latentDim]`, `[1, latentDim]` or `[n, latentDim]`. */
export type Latent = tf.Tensor | number[] | number[][];

/** Interpolation methods. */
export type InterpolationMethod = "linear" | "spherical";

/** Options of {@linkcode interpolateLatents}. */
export interface InterpolateOptions {
  /** Points per path, both ends included. Default `8`. */
  steps?: number;
  /** `linear` (lerp) or `spherical` (slerp). Default `"spherical"`. */
  method?: InterpolationMethod;
}

/**
 * When sin of the angle between the two vectors is below this, slerp falls back to lerp: the
 * division by sin(angle) would blow up. Nearly parallel vectors give the same path either way;
 * nearly opposite ones have no unique great circle between them.
 */
const SLERP_PARALLEL_EPSILON = 1e-4;

/**
 * Paths from `from` to `to` in `steps` points. With batches `[n, latentDim]`, row i of `from` goes to
 * row i of `to` and the result is `[n * steps, latentDim]`, path after path, so an image grid with
 * `columns: steps` shows one path per row.
 *
 * Spherical interpolation: slerp(a, b; t) = sin((1 - t) w) / sin(w) a + sin(t w) / sin(w) b, with
 * w the angle between a and b. It keeps the norm when |a| = |b| and follows the great circle.
 * Nearly parallel or nearly opposite vectors (sin w below {@linkcode SLERP_PARALLEL_EPSILON}) and
 * zero vectors use lerp (opposite vectors have no unique great circle; in a 100-dimensional latent
 * space two random draws are essentially never opposite).
 *
 * @example Five points from a to b, spherically
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { interpolateLatents } from "./latent.ts";
 * const z = interpolateLatents([1, 0], [0, 1], { steps: 3 });
 * assertEquals([z.shape, z.arraySync()[1].map((v) => v.toFixed(3))], [[ 3, 2 ], [ "0.707", "0.707" ]]);
 * z.dispose();
 * ```
 */
export function interpolateLatents(
  from: Latent,
  to: Latent,
  options: InterpolateOptions = {},
): tf.Tensor2D {
  const steps = options.steps ?? 8;
  const method = options.method ?? "spherical";
  if (!Number.isInteger(steps) || steps < 2) {
    throw new Error(`Cannot interpolate latents: steps must be an integer >= 2, got ${steps}`);
  }
  if (method !== "linear" && method !== "spherical") {
    throw new Error(
      `Cannot interpolate latents: method must be "linear" or "spherical", got ${method}`,
    );
  }
  return tf.tidy(() => {
    const a = asBatch(from, "from");
    const b = asBatch(to, "to");
    if (a.shape[0] !== b.shape[0] || a.shape[1] !== b.shape[1]) {
      throw new Error(
        `Cannot interpolate latents: from and to must have the same shape, got [${a.shape}] and ` +
          `[${b.shape}]`,
      );
    }
    const [n, latentDim] = a.shape;
    // t: [1, steps, 1]; a, b: [n, 1, latentDim]
    const t = tf.linspace(0, 1, steps).reshape([1, steps, 1]);
    const a3 = a.reshape([n, 1, latentDim]);
    const b3 = b.reshape([n, 1, latentDim]);
    const linear = a3.add(b3.sub(a3).mul(t));
    if (method === "linear") return linear.reshape([n * steps, latentDim]) as tf.Tensor2D;
    // Angle between each pair: [n, 1, 1]
    const normA = a3.norm("euclidean", 2, true);
    const normB = b3.norm("euclidean", 2, true);
    const cos = a3.mul(b3).sum(2, true).div(normA.mul(normB).maximum(1e-12))
      .clipByValue(-1, 1);
    const omega = tf.acos(cos);
    const sinOmega = tf.sin(omega);
    // Where w is tiny (or a vector is zero), use lerp; elsewhere the slerp weights.
    const useLinear = sinOmega.less(SLERP_PARALLEL_EPSILON)
      .logicalOr(normA.mul(normB).less(1e-12));
    const safeSin = tf.where(useLinear, tf.onesLike(sinOmega), sinOmega);
    const wa = tf.sin(tf.scalar(1).sub(t).mul(omega)).div(safeSin); // [n, steps, 1]
    const wb = tf.sin(t.mul(omega)).div(safeSin);
    const spherical = a3.mul(wa).add(b3.mul(wb));
    const mask = tf.broadcastTo(useLinear, [n, steps, latentDim]);
    return tf.where(mask, linear, spherical).reshape([n * steps, latentDim]) as tf.Tensor2D;
  });
}

/** One term of a latent arithmetic expression: the mean of a group of latents, added or subtracted. */
export interface LatentTerm {
  /** Latents of the group, `[n, latentDim]` (averaged) or one `[latentDim]`. */
  z: Latent;
  /** `+1` to add the group's mean, `-1` to subtract it. */
  sign: 1 | -1;
  /** A label for strips ("smiling woman"). */
  label?: string;
}

/** Options of {@linkcode latentArithmetic}. */
export interface LatentArithmeticOptions {
  /** Extra rows: the result plus Gaussian noise, to show a few variations. Default `0`. */
  variations?: number;
  /** Standard deviation of that noise. Default `0.25`. */
  noise?: number;
  /** Seed of the noise. Default `0`. */
  seed?: number;
}

/**
 * Latent arithmetic: the signed sum of each group's mean latent, for example
 * mean(smiling women) - mean(neutral women) + mean(neutral men). Returns `[1 + variations,
 * latentDim]`: the exact result, then noisy variations of it (DCGAN averaged three samples per
 * group and added small noise to show the result is stable).
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { latentArithmetic } from "./latent.ts";
 * const z = latentArithmetic([
 *   { z: [[1, 1], [3, 1]], sign: 1 },
 *   { z: [0, 1], sign: -1 },
 *   { z: [1, 0], sign: 1 },
 * ]);
 * assertEquals(z.arraySync(), [ [ 3, 0 ] ]);
 * z.dispose();
 * ```
 */
export function latentArithmetic(
  terms: LatentTerm[],
  options: LatentArithmeticOptions = {},
): tf.Tensor2D {
  const variations = options.variations ?? 0;
  if (!Number.isInteger(variations) || variations < 0) {
    throw new Error(
      `Cannot do latent arithmetic: variations must be a non-negative integer, got ${variations}`,
    );
  }
  if (terms.length === 0) {
    throw new Error("Cannot do latent arithmetic: no terms given; pass [{ z, sign: 1 }, ...]");
  }
  return tf.tidy(() => {
    const means = groupMeans(terms);
    const latentDim = means.shape[1];
    // Sum over terms of sign * mean: [terms, latentDim] -> [1, latentDim]
    const signs = tf.tensor2d(terms.map((term) => term.sign), [terms.length, 1]);
    const result = means.mul(signs).sum(0, true);
    if (variations === 0) return result as tf.Tensor2D;
    const noise = tf.randomNormal(
      [variations, latentDim],
      0,
      options.noise ?? 0.25,
      "float32",
      tfSeed(options.seed ?? 0),
    );
    return tf.concat([result, result.add(noise)], 0) as tf.Tensor2D;
  });
}

/**
 * The mean latent of each term's group, in order: `[terms, latentDim]`. Useful to show the
 * generator's image for each group next to the arithmetic's result.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { groupMeans } from "./latent.ts";
 * const means = groupMeans([{ z: [[0, 2], [2, 0]], sign: 1 }, { z: [5, 5], sign: -1 }]);
 * assertEquals(means.arraySync(), [ [ 1, 1 ], [ 5, 5 ] ]);
 * means.dispose();
 * ```
 */
export function groupMeans(terms: LatentTerm[]): tf.Tensor2D {
  return tf.tidy(() => {
    const means = terms.map((term, i) => {
      if (term.sign !== 1 && term.sign !== -1) {
        throw new Error(
          `Cannot do latent arithmetic: term ${i} has sign ${term.sign}; use 1 or -1`,
        );
      }
      return asBatch(term.z, `term ${i}`).mean(0, true);
    });
    const dims = new Set(means.map((m) => m.shape[1]));
    if (dims.size > 1) {
      throw new Error(
        `Cannot do latent arithmetic: the groups have different latentDim (${
          [...dims].join(", ")
        })`,
      );
    }
    return tf.concat(means, 0) as tf.Tensor2D;
  });
}

/** `[latentDim]`, `[1, latentDim]` or `[n, latentDim]` (tensor or numbers) as `[n, latentDim]`. */
function asBatch(z: Latent, what: string): tf.Tensor2D {
  const tensor = z instanceof tf.Tensor ? z : tf.tensor(z);
  if (tensor.rank === 1) return tensor.expandDims(0) as tf.Tensor2D;
  if (tensor.rank === 2) return tensor as tf.Tensor2D;
  throw new Error(
    `Cannot use latents (${what}): expected [latentDim] or [n, latentDim], got shape ` +
      `[${tensor.shape}]`,
  );
}
