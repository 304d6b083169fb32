/**
 * A small digit classifier for the data-augmentation experiment ("GANs for data augmentation"):
 * train it on a few real digits, with or without extra images (shifted copies, or a conditional
 * GAN's samples), and measure its accuracy on held-out digits.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { seededRandom } from "../core/random.ts";
import { seededLayers } from "./classifier.ts";

/**
 * Build a small CNN, images `[batch, 28, 28, 1]` in [-1, 1] -> logits `[batch, numClasses]`,
 * with seeded weights: two 3x3 convolutions of 8 and 16 filters, each followed by 2x2 max
 * pooling, dropout 0.3 and a dense layer. About 0.6 MFLOP per image.
 *
 * @example
 * ```ts
 * import { buildSmallDigitClassifier } from "./few_shot_classifier.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const model = buildSmallDigitClassifier({ seed: 1 });
 * assertEquals(model.outputs[0].shape, [null, 10]);
 * model.dispose();
 * ```
 */
export function buildSmallDigitClassifier(
  options: { seed?: number; numClasses?: number } = {},
): tf.LayersModel {
  const numClasses = options.numClasses ?? 10;
  if (!Number.isInteger(numClasses) || numClasses < 2) {
    throw new Error(
      `Cannot build the digit classifier: numClasses must be an integer >= 2, got ${numClasses}`,
    );
  }
  const { init, conv, nextSeed } = seededLayers(options.seed ?? 0);
  return tf.sequential({
    name: "small_digit_classifier",
    layers: [
      tf.layers.inputLayer({ inputShape: [28, 28, 1] }),
      conv(8), // [batch, 28, 28, 1] -> [batch, 28, 28, 8]
      tf.layers.maxPooling2d({ poolSize: 2 }), // -> [batch, 14, 14, 8]
      conv(16), // -> [batch, 14, 14, 16]
      tf.layers.maxPooling2d({ poolSize: 2 }), // -> [batch, 7, 7, 16]
      tf.layers.flatten(), // -> [batch, 784]
      tf.layers.dropout({ rate: 0.3, seed: nextSeed() }),
      tf.layers.dense({ units: numClasses, kernelInitializer: init() }), // -> [batch, numClasses]
    ],
  });
}

/** Options of {@linkcode trainDigitClassifier}. */
export interface TrainDigitClassifierOptions {
  /** Adam updates. */
  steps: number;
  /** Images per update. Default 64. */
  batchSize?: number;
  /** Adam learning rate. Default 1e-3. */
  learningRate?: number;
  /** Seed of the batch order. Default 0. */
  seed?: number;
}

/**
 * Train a classifier (images -> logits) with softmax cross-entropy for `steps` Adam updates on
 * batches drawn, in seeded shuffled order, from `images` and their class `labels`. Returns the
 * loss of every update.
 *
 * @example The loss falls on a separable toy set
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { trainDigitClassifier } from "./few_shot_classifier.ts";
 * import { ok as assert } from "node:assert/strict";
 *
 * const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [1, 1, 1] }), tf.layers.dense({ units: 2 })] });
 * const images = tf.tensor4d([-1, -1, 1, 1], [4, 1, 1, 1]);
 * const losses = await trainDigitClassifier(model, images, [0, 0, 1, 1], { steps: 60, batchSize: 4, learningRate: 0.1 });
 * assert(losses.at(-1)! < losses[0] / 4);
 * ```
 */
export async function trainDigitClassifier(
  model: tf.LayersModel,
  images: tf.Tensor,
  labels: ArrayLike<number>,
  options: TrainDigitClassifierOptions,
): Promise<number[]> {
  const o = { batchSize: 64, learningRate: 1e-3, seed: 0, ...options };
  const n = images.shape[0];
  const numClasses = Number(model.outputs[0].shape.at(-1));
  if (labels.length !== n) {
    throw new Error(
      `Cannot train the classifier: got ${labels.length} labels for ${n} images`,
    );
  }
  if (!Number.isInteger(o.steps) || o.steps < 1) {
    throw new Error(
      `Cannot train the classifier: steps must be a positive integer, got ${o.steps}`,
    );
  }
  if (!Number.isInteger(o.batchSize) || o.batchSize < 1 || o.batchSize > n) {
    throw new Error(
      `Cannot train the classifier: batchSize must be an integer in 1..${n} (the images), got ${o.batchSize}`,
    );
  }
  const oneHot = tf.tidy(() =>
    tf.oneHot(tf.tensor1d(Array.from(labels), "int32"), numClasses).toFloat()
  );
  const optimizer = tf.train.adam(o.learningRate);
  const random = seededRandom(o.seed);
  const losses: number[] = [];
  let order: number[] = [];
  try {
    for (let step = 0; step < o.steps; step++) {
      if (order.length < o.batchSize) {
        order = random.shuffle(Array.from({ length: n }, (_, i) => i));
      }
      const indices = tf.tensor1d(order.splice(0, o.batchSize), "int32");
      const loss = tf.tidy(() => {
        const x = tf.gather(images, indices);
        const y = tf.gather(oneHot, indices);
        return optimizer.minimize(
          () =>
            tf.losses.softmaxCrossEntropy(
              y,
              model.apply(x, { training: true }) as tf.Tensor,
            ) as tf.Scalar,
          true,
          model.trainableWeights.map((w) => w.read() as tf.Variable),
        )!;
      });
      indices.dispose();
      losses.push((await loss.data())[0]);
      loss.dispose();
    }
  } finally {
    oneHot.dispose();
    optimizer.dispose();
  }
  return losses;
}

/**
 * The share of `images` whose highest logit is their label.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { classifierAccuracy } from "./few_shot_classifier.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * // logits = [x, -x]: class 0 for positive pixels, class 1 for negative ones
 * const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [1, 1, 1] }), tf.layers.dense({ units: 2, weights: [tf.tensor2d([[1, -1]]), tf.zeros([2])] })] });
 * const images = tf.tensor4d([2, -1, 3, -4], [4, 1, 1, 1]);
 * assertEquals(await classifierAccuracy(model, images, [0, 1, 1, 1]), 0.75);
 * ```
 */
export async function classifierAccuracy(
  model: tf.LayersModel,
  images: tf.Tensor,
  labels: ArrayLike<number>,
  options: { batchSize?: number } = {},
): Promise<number> {
  const n = images.shape[0];
  if (labels.length !== n || n === 0) {
    throw new Error(
      `Cannot measure accuracy: need one label per image and at least one image, got ${labels.length} labels for ${n} images`,
    );
  }
  const batchSize = options.batchSize ?? 500;
  let correct = 0;
  for (let start = 0; start < n; start += batchSize) {
    const count = Math.min(batchSize, n - start);
    const predicted = tf.tidy(() =>
      (model.predict(images.slice(start, count)) as tf.Tensor).argMax(-1)
    );
    const values = await predicted.data();
    predicted.dispose();
    for (let i = 0; i < count; i++) if (values[i] === labels[start + i]) correct++;
  }
  return correct / n;
}

/**
 * Simple augmentation: `copies` copies of every image, each moved by a random whole number of
 * pixels (up to `maxShift` in x and in y), the uncovered border filled with `background`. Returns
 * the shifted images `[copies * n, h, w, c]` (copy by copy) and their labels.
 *
 * @example One copy shifted by at most one pixel keeps the pixel sum of a centred dot
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { shiftedCopies } from "./few_shot_classifier.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const dot = tf.tensor4d([0, 0, 0, 0, 1, 0, 0, 0, 0], [1, 3, 3, 1]);
 * const { images, labels } = await shiftedCopies(dot, [7], { copies: 3, maxShift: 1, background: 0 });
 * assertEquals(images.shape, [3, 3, 3, 1]);
 * assertEquals(labels, [7, 7, 7]);
 * assertEquals(images.sum().dataSync()[0], 3);
 * ```
 */
export async function shiftedCopies(
  images: tf.Tensor,
  labels: ArrayLike<number>,
  options: { copies: number; maxShift: number; background?: number; seed?: number },
): Promise<{ images: tf.Tensor4D; labels: number[] }> {
  const { copies, maxShift } = options;
  const background = options.background ?? -1;
  if (images.rank !== 4 || labels.length !== images.shape[0]) {
    throw new Error(
      `Cannot shift images: need images [n, h, w, c] and n labels, got shape [${images.shape}] and ${labels.length} labels`,
    );
  }
  if (!Number.isInteger(copies) || copies < 1 || !Number.isInteger(maxShift) || maxShift < 0) {
    throw new Error(
      `Cannot shift images: copies must be a positive integer and maxShift a non-negative integer, got ${copies} and ${maxShift}`,
    );
  }
  const [n, h, w, c] = images.shape;
  const source = await images.data() as Float32Array;
  const out = new Float32Array(copies * n * h * w * c).fill(background);
  const random = seededRandom(options.seed ?? 0);
  const outLabels: number[] = [];
  for (let copy = 0; copy < copies; copy++) {
    for (let i = 0; i < n; i++) {
      const dy = random.int(2 * maxShift + 1) - maxShift;
      const dx = random.int(2 * maxShift + 1) - maxShift;
      const base = (copy * n + i) * h * w * c;
      for (let y = Math.max(0, dy); y < Math.min(h, h + dy); y++) {
        for (let x = Math.max(0, dx); x < Math.min(w, w + dx); x++) {
          const from = ((i * h + y - dy) * w + x - dx) * c;
          out.set(source.subarray(from, from + c), base + (y * w + x) * c);
        }
      }
      outLabels.push(labels[i]);
    }
  }
  return { images: tf.tensor4d(out, [copies * n, h, w, c]), labels: outLabels };
}
