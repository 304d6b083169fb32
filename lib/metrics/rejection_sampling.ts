/**
 * Discriminator rejection sampling, the lecture's tip "use a stronger D to filter G's data;
 * stronger means train D alone at the end": train the discriminator on its own against the final,
 * frozen generator, score many samples with it and keep those it finds most real.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { seededRandom } from "../core/random.ts";
import { discriminatorLoss } from "../variants/objectives.ts";
import { optimizeWithNorm } from "../train/gradients.ts";
import { stepRandom } from "../core/random.ts";

/** Options of {@linkcode trainDiscriminatorAlone}. */
export interface DiscriminatorAloneOptions {
  /** Discriminator updates. */
  steps: number;
  /** Real and fake images per update. Default 64. */
  batchSize?: number;
  /** Adam learning rate. Default 2e-4. */
  learningRate?: number;
  /** Adam's beta1. Default 0.5 (the DCGAN paper's). */
  beta1?: number;
  /** Size of the generator's latent input. Default: read from the generator. */
  latentDim?: number;
  /** Seed of the real batches and the latents. Default 0. */
  seed?: number;
}

/**
 * Train `discriminator` (images -> logits) alone for `steps` updates with the GAN loss: real
 * batches drawn from `realImages` against samples of the frozen `generator`, with a fresh Adam.
 * Returns the loss of every update.
 *
 * @example A few updates of a tiny pair
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { trainDiscriminatorAlone } from "./rejection_sampling.ts";
 * import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
 *
 * const generator = tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [2] }), tf.layers.reshape({ targetShape: [2, 2, 1] })] });
 * const discriminator = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [2, 2, 1] }), tf.layers.dense({ units: 1 })] });
 * const real = tf.ones([16, 2, 2, 1]);
 * const before = generator.getWeights()[0].dataSync().slice();
 * const losses = await trainDiscriminatorAlone(generator, discriminator, real, { steps: 5, batchSize: 8 });
 * assertEquals(losses.length, 5);
 * assert(losses.every(Number.isFinite));
 * assertEquals(generator.getWeights()[0].dataSync(), before); // G stays frozen
 * ```
 */
export async function trainDiscriminatorAlone(
  generator: tf.LayersModel,
  discriminator: tf.LayersModel,
  realImages: tf.Tensor,
  options: DiscriminatorAloneOptions,
): Promise<number[]> {
  const o = { batchSize: 64, learningRate: 2e-4, beta1: 0.5, seed: 0, ...options };
  const latentDim = o.latentDim ?? Number(generator.inputs[0].shape[1]);
  if (!Number.isInteger(o.steps) || o.steps < 1) {
    throw new Error(
      `Cannot train the discriminator alone: steps must be a positive integer, got ${o.steps}`,
    );
  }
  if (!Number.isInteger(o.batchSize) || o.batchSize < 1 || o.batchSize > realImages.shape[0]) {
    throw new Error(
      `Cannot train the discriminator alone: batchSize must be an integer in 1..${
        realImages.shape[0]
      } (the real images), got ${o.batchSize}`,
    );
  }
  if (!Number.isInteger(latentDim) || latentDim < 1) {
    throw new Error(
      "Cannot train the discriminator alone: the generator's latent size is unknown; pass latentDim",
    );
  }
  const optimizer = tf.train.adam(o.learningRate, o.beta1, 0.999);
  const host = seededRandom(o.seed);
  const losses: number[] = [];
  try {
    for (let step = 0; step < o.steps; step++) {
      const indices = Array.from({ length: o.batchSize }, () => host.int(realImages.shape[0]));
      const loss = tf.tidy(() => {
        const real = tf.gather(realImages, tf.tensor1d(indices, "int32"));
        const fake = generator.predict(stepRandom(o.seed, step).normal([o.batchSize, latentDim]));
        const { loss } = optimizeWithNorm(optimizer, () =>
          discriminatorLoss(
            discriminator.apply(real, { training: true }) as tf.Tensor,
            discriminator.apply(fake as tf.Tensor, { training: true }) as tf.Tensor,
          ), discriminator);
        return loss;
      });
      losses.push((await loss.data())[0]);
      loss.dispose();
    }
  } finally {
    optimizer.dispose();
  }
  return losses;
}

/**
 * The discriminator's logit for every image, in batches, read back asynchronously.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { discriminatorScores } from "./rejection_sampling.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const sum = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [1, 2, 1] }), tf.layers.dense({ units: 1, kernelInitializer: "ones" })] });
 * const scores = await discriminatorScores(sum, tf.tensor4d([1, 2, 3, 4, 5, 6], [3, 1, 2, 1]), { batchSize: 2 });
 * assertEquals(Array.from(scores), [3, 7, 11]);
 * ```
 */
export async function discriminatorScores(
  discriminator: tf.LayersModel,
  images: tf.Tensor,
  options: { batchSize?: number } = {},
): Promise<Float32Array> {
  const batchSize = options.batchSize ?? 500;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(`Cannot score images: batchSize must be a positive integer, got ${batchSize}`);
  }
  const n = images.shape[0];
  const scores = new Float32Array(n);
  for (let start = 0; start < n; start += batchSize) {
    const count = Math.min(batchSize, n - start);
    const logits = tf.tidy(() =>
      (discriminator.predict(images.slice(start, count)) as tf.Tensor).reshape([count])
    );
    scores.set(await logits.data() as Float32Array, start);
    logits.dispose();
  }
  return scores;
}

/**
 * The `count` images with the highest scores, most real first: rejection sampling by score.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { keepHighestScored } from "./rejection_sampling.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const images = tf.tensor4d([10, 20, 30, 40], [4, 1, 1, 1]);
 * const kept = keepHighestScored(images, [0.1, 0.9, -2, 0.5], 2);
 * assertEquals(Array.from(kept.dataSync()), [20, 40]);
 * ```
 */
export function keepHighestScored(
  images: tf.Tensor,
  scores: ArrayLike<number>,
  count: number,
): tf.Tensor {
  const n = images.shape[0];
  if (scores.length !== n) {
    throw new Error(
      `Cannot keep the highest scored images: got ${scores.length} scores for ${n} images`,
    );
  }
  if (!Number.isInteger(count) || count < 1 || count > n) {
    throw new Error(
      `Cannot keep the highest scored images: count must be an integer in 1..${n}, got ${count}`,
    );
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  return tf.tidy(() => tf.gather(images, tf.tensor1d(order.slice(0, count), "int32")));
}
