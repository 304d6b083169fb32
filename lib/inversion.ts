/**
 * GAN inversion: find the latent z whose image G(z) is closest to a given image, by gradient
 * descent on z with the generator frozen (Zhu et al. 2016, "Generative Visual Manipulation on the
 * Natural Image Manifold"; the INF5860 slides' "reverse mapping from image space to the closest
 * point on the manifold").
 *
 * The objective per target x is the pixel mean squared error plus an optional pull of z towards
 * the prior's typical norm:
 *
 *   min_z  mean((G(z) - x)^2) + latentPenalty * mean(z^2)
 *
 * Several random starts per target (`restarts`) help, since the objective is not convex; the best
 * start per target is kept. `initialLatents` replaces the first start of every target by a given
 * guess, for example an encoder's prediction (`lib/inversion_encoder.ts`).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { tfSeed } from "./core/random.ts";

/** Options of {@linkcode invertGenerator}. */
export interface InvertOptions {
  /** Adam steps on z. Default `200`. */
  steps?: number;
  /** Adam learning rate. Default `0.05`. */
  learningRate?: number;
  /** Random starting points per target; the best one is kept. Default `1`. */
  restarts?: number;
  /** Weight of mean(z^2) in the objective (0 = pixels only). Default `0`. */
  latentPenalty?: number;
  /** Seed of the starting latents z ~ N(0, 1). Default `0`. */
  seed?: number;
  /**
   * The first start of each target, `[n, latentDim]` (e.g. an encoder's guess E(x)); the other
   * `restarts - 1` starts stay random. Not disposed. Default: every start random.
   */
  initialLatents?: tf.Tensor2D;
  /** Call `onSnapshot` every this many steps (and after the last). Default `0`: never. */
  snapshotEvery?: number;
  /**
   * Called with the current images of the best start per target `[n, ...imageShape]` (disposed
   * after the call returns), the step and the mean pixel MSE. May be async (to update a display).
   */
  onSnapshot?: (images: tf.Tensor4D, step: number, mse: number) => void | Promise<void>;
}

/** What {@linkcode invertGenerator} found. Call `dispose()` when done. */
export interface InversionResult {
  /** The best latent per target, `[n, latentDim]`. */
  z: tf.Tensor2D;
  /** G(z) for those latents, `[n, ...imageShape]`. */
  images: tf.Tensor4D;
  /** Pixel MSE of each target's best start at the end, `[n]` numbers. */
  mse: number[];
  /** The objective (pixel MSE plus the latent penalty), averaged over all starts, per step. */
  history: number[];
  /** Dispose `z` and `images`. */
  dispose(): void;
}

const DEFAULTS = {
  steps: 200,
  learningRate: 0.05,
  restarts: 1,
  latentPenalty: 0,
  seed: 0,
  snapshotEvery: 0,
};

/**
 * Optimise latents so that the generator reproduces `targets` (images in the generator's output
 * range, `[n, h, w, c]`). The generator runs in inference mode and its weights do not change. No
 * tensor is left behind apart from the result's.
 *
 * @example Recover the latent of a tiny linear "generator"
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { invertGenerator } from "./inversion.ts";
 * const generator = tf.sequential({
 *   layers: [
 *     tf.layers.dense({ units: 16, inputShape: [4], kernelInitializer: tf.initializers.glorotNormal({ seed: 1 }) }),
 *     tf.layers.reshape({ targetShape: [4, 4, 1] }),
 *   ],
 * });
 * const target = generator.predict(tf.tensor2d([[0.5, -1, 0.3, 0.8]])) as tf.Tensor4D;
 * const result = await invertGenerator(generator, target, { steps: 300, learningRate: 0.1 });
 * assert(result.mse[0] < 1e-3);
 * result.dispose();
 * ```
 */
export async function invertGenerator(
  generator: tf.LayersModel,
  targets: tf.Tensor4D,
  options: InvertOptions = {},
): Promise<InversionResult> {
  const o = { ...DEFAULTS, ...options };
  for (const key of ["steps", "restarts"] as const) {
    if (!Number.isInteger(o[key]) || o[key] < 1) {
      throw new Error(`Cannot invert generator: ${key} must be a positive integer, got ${o[key]}`);
    }
  }
  if (!Number.isInteger(o.snapshotEvery) || o.snapshotEvery < 0) {
    throw new Error(
      `Cannot invert generator: snapshotEvery must be a non-negative integer, got ${o.snapshotEvery}`,
    );
  }
  if (!(o.learningRate > 0) || !(o.latentPenalty >= 0)) {
    throw new Error(
      `Cannot invert generator: learningRate must be > 0 and latentPenalty >= 0, got ` +
        `${o.learningRate} and ${o.latentPenalty}`,
    );
  }
  const inputShape = generator.inputs[0].shape;
  const outputShape = generator.outputs[0].shape;
  if (inputShape.length !== 2 || typeof inputShape[1] !== "number") {
    throw new Error(
      `Cannot invert generator: it must take one latent input [batch, latentDim], got [${inputShape}]`,
    );
  }
  if (targets.rank !== 4 || targets.shape.slice(1).some((d, i) => d !== outputShape[i + 1])) {
    throw new Error(
      `Cannot invert generator: targets must be [n, ${
        outputShape.slice(1)
      }] like its output, got ` +
        `[${targets.shape}]`,
    );
  }
  const latentDim = inputShape[1];
  const n = targets.shape[0];
  const k = o.restarts;
  // Every target repeated k times: [n * k, h, w, c], start j of target i at row i * k + j.
  const tiled = tf.tidy(() =>
    targets.expandDims(1).tile([1, k, 1, 1, 1]).reshape([n * k, ...targets.shape.slice(1)])
  );
  const given = o.initialLatents;
  if (given && (given.rank !== 2 || given.shape[0] !== n || given.shape[1] !== latentDim)) {
    throw new Error(
      `Cannot invert generator: initialLatents must be [${n}, ${latentDim}] (one latent per ` +
        `target), got [${given.shape}]`,
    );
  }
  const start = tf.tidy(() => {
    const random = tf.randomNormal([n * k, latentDim], 0, 1, "float32", tfSeed(o.seed));
    if (!given) return random;
    // Row i * k (start 0 of target i) takes the given latent.
    const rest = random.reshape([n, k, latentDim]).slice([0, 1, 0], [n, k - 1, latentDim]);
    return tf.concat([given.expandDims(1), rest], 1).reshape([n * k, latentDim]);
  });
  const z = tf.variable(start, true);
  start.dispose(); // the variable holds its own reference to the values
  const optimizer = tf.train.adam(o.learningRate);
  // Per-row pixel MSE [n * k] of the current latents.
  const rowMse = () =>
    tf.tidy(() => {
      const images = generator.apply(z, { training: false }) as tf.Tensor;
      return images.sub(tiled).square().reshape([n * k, -1]).mean(1) as tf.Tensor1D;
    });
  // The best start per target: rows of [n * k] -> [n].
  const bestRows = () =>
    tf.tidy(() => {
      const errors = rowMse().reshape([n, k]);
      return errors.argMin(1).add(tf.range(0, n * k, k, "int32")) as tf.Tensor1D;
    });
  const snapshot = async (step: number) => {
    const [images, mse] = tf.tidy(() => {
      const rows = bestRows();
      const best = tf.gather(z, rows);
      const errors = tf.gather(rowMse(), rows);
      return [generator.apply(best, { training: false }) as tf.Tensor4D, errors.mean()];
    });
    try {
      await o.onSnapshot?.(images, step, (await mse.data())[0]);
    } finally {
      tf.dispose([images, mse]);
    }
  };
  const history: number[] = [];
  try {
    for (let step = 1; step <= o.steps; step++) {
      const loss = optimizer.minimize(
        () =>
          tf.tidy(() => {
            const mse = rowMse().mean();
            return (o.latentPenalty > 0
              ? mse.add(z.square().mean().mul(o.latentPenalty))
              : mse) as tf.Scalar;
          }),
        true,
        [z],
      ) as tf.Scalar;
      history.push((await loss.data())[0]);
      loss.dispose();
      if (o.snapshotEvery > 0 && (step % o.snapshotEvery === 0 || step === o.steps)) {
        await snapshot(step);
      }
    }
    const [bestZ, images, errors] = tf.tidy(() => {
      const rows = bestRows();
      const best = tf.gather(z, rows) as tf.Tensor2D;
      return [
        best,
        generator.apply(best, { training: false }) as tf.Tensor4D,
        tf.gather(rowMse(), rows),
      ];
    });
    const mse = Array.from(await errors.data());
    errors.dispose();
    return { z: bestZ, images, mse, history, dispose: () => tf.dispose([bestZ, images]) };
  } finally {
    tf.dispose([tiled, z]);
    optimizer.dispose();
  }
}
