/**
 * How many images the metric classifier recognises without hesitation: the share of images it
 * assigns to one class with a probability of at least a threshold (0.9 by default). A proxy for
 * "a reader would name this digit at once" on the same shipped MNIST classifier that FID and the
 * Inception Score use; score real held-out digits the same way for the reference a perfect
 * generator would reach.
 *
 * It catches what a short GAN run draws badly (blends of two digits, blurred or broken strokes),
 * but not images far from any digit: the classifier puts uniform noise and blank images into one
 * class with high confidence. `perClass` shows that case (one class takes nearly all), and the
 * sample grid should be looked at too.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { type FeatureExtractor, featureExtractor } from "./feature_extractor.ts";
import type { Matrix } from "./linalg.ts";

/** Options of {@linkcode confidentShare}. */
export interface ConfidentShareOptions {
  /** Classifier to judge with. Default: the shipped MNIST classifier. */
  extractor?: FeatureExtractor;
  /** Smallest top-class probability that counts as recognised, in (0, 1]. Default 0.9. */
  threshold?: number;
  /** Images per forward pass. Default 500. */
  batchSize?: number;
}

/** What {@linkcode confidentShare} and {@linkcode confidentShareOf} return. */
export interface ConfidentShare {
  /** Recognised images / all images, in [0, 1]. */
  share: number;
  /** How many images were recognised. */
  confident: number;
  /** How many images were judged. */
  count: number;
  /** Recognised images per class (their top class): shows whether a few easy classes dominate. */
  perClass: number[];
}

/**
 * The share of rows of `probabilities` (`[n, classes]`, one row per image) whose largest entry is
 * at least `threshold`.
 *
 * @example Two of three images are recognised at 0.9, one of each class
 * ```ts
 * import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
 * import { confidentShareOf } from "./confident_share.ts";
 * const probabilities = { rows: 3, cols: 2, data: Float64Array.from([0.95, 0.05, 0.6, 0.4, 0, 1]) };
 * const result = confidentShareOf(probabilities);
 * assertEquals([result.confident, result.count, result.perClass], [2, 3, [1, 1]]);
 * assertEquals(confidentShareOf(probabilities, 0.5).share, 1);
 * throws(() => confidentShareOf(probabilities, 0), /threshold must be in \(0, 1\], got 0/);
 * ```
 */
export function confidentShareOf(probabilities: Matrix, threshold = 0.9): ConfidentShare {
  if (!(threshold > 0 && threshold <= 1)) {
    throw new Error(
      `Cannot compute the confident share: threshold must be in (0, 1], got ${threshold}`,
    );
  }
  const { rows, cols, data } = probabilities;
  if (rows < 1 || cols < 1 || data.length !== rows * cols) {
    throw new Error(
      `Cannot compute the confident share: probabilities must be a non-empty [n, classes] ` +
        `matrix, got ${rows}x${cols} with ${data.length} values`,
    );
  }
  const perClass = new Array<number>(cols).fill(0);
  for (let i = 0; i < rows; i++) {
    let top = 0;
    for (let c = 1; c < cols; c++) if (data[i * cols + c] > data[i * cols + top]) top = c;
    if (data[i * cols + top] >= threshold) perClass[top]++;
  }
  const confident = perClass.reduce((a, b) => a + b, 0);
  return { share: confident / rows, confident, count: rows, perClass };
}

/**
 * The share of `images` (`[n, 28, 28, 1]` in [-1, 1] for the shipped classifier) that the
 * classifier assigns to one class with a probability of at least `threshold`.
 *
 * @example Real held-out digits: nearly all are recognised
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { initBackend } from "../backend.ts";
 * import { loadMnist } from "../data/mnist.ts";
 * import { confidentShare } from "./confident_share.ts";
 * await initBackend();
 * const digits = await loadMnist({ split: "test", size: 200 });
 * const { share, count } = await confidentShare(digits.images);
 * assert(count === 200 && share > 0.9);
 * digits.dispose();
 * ```
 */
export async function confidentShare(
  images: tf.Tensor,
  options: ConfidentShareOptions = {},
): Promise<ConfidentShare> {
  const extractor = options.extractor ?? await featureExtractor();
  const { probabilities } = await extractor.run(images, { batchSize: options.batchSize ?? 500 });
  return confidentShareOf(probabilities, options.threshold ?? 0.9);
}
