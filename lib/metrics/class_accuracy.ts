/**
 * How often the metric classifier recognises the class a conditional generator was asked for.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type FeatureExtractor, featureExtractor } from "./feature_extractor.ts";

/** Options of {@linkcode classAccuracy}. */
export interface ClassAccuracyOptions {
  /** Classifier to judge with. Default: the shipped MNIST classifier. */
  extractor?: FeatureExtractor;
  /** Images per forward pass. Default 500. */
  batchSize?: number;
}

/** Class accuracy overall and per intended class. */
export interface ClassAccuracyResult {
  /** Fraction of images classified as their intended label. */
  accuracy: number;
  /** Accuracy per intended class (NaN for a class with no images). */
  perClass: number[];
  /** The classifier's label for each image. */
  predictedLabels: Int32Array;
}

/**
 * The fraction of `images` that the classifier assigns to `intendedLabels` (the labels they were
 * generated for, or their true labels for real digits). A conditional GAN that ignores its label
 * scores about 0.1 on MNIST; real held-out digits score the classifier's accuracy.
 *
 * @example A classifier that always says class 0
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { classAccuracy } from "./class_accuracy.ts";
 * import { featureExtractor } from "./feature_extractor.ts";
 * const model = tf.sequential({
 *   layers: [
 *     tf.layers.flatten({ inputShape: [2, 2, 1], name: "flat" }),
 *     tf.layers.dense({ units: 2, kernelInitializer: "zeros", biasInitializer: "ones" }),
 *   ],
 * });
 * model.layers[1].setWeights([tf.zeros([4, 2]), tf.tensor1d([1, 0])]);
 * const extractor = await featureExtractor(model, "flat");
 * const { accuracy } = await classAccuracy(tf.zeros([4, 2, 2, 1]), [0, 0, 1, 1], { extractor });
 * assertEquals(accuracy, 0.5);
 * ```
 */
export async function classAccuracy(
  images: tf.Tensor,
  intendedLabels: ArrayLike<number> | tf.Tensor1D,
  options: ClassAccuracyOptions = {},
): Promise<ClassAccuracyResult> {
  const labels = intendedLabels instanceof tf.Tensor
    ? Array.from(await intendedLabels.data())
    : Array.from(intendedLabels);
  if (labels.length !== images.shape[0]) {
    throw new Error(
      `Cannot compute class accuracy: ${images.shape[0]} images but ${labels.length} labels; ` +
        `pass one intended label per image`,
    );
  }
  const extractor = options.extractor ?? await featureExtractor();
  const { predictedLabels, probabilities } = await extractor.run(images, {
    batchSize: options.batchSize ?? 500,
  });
  const classes = probabilities.cols;
  const hits = new Array<number>(classes).fill(0);
  const totals = new Array<number>(classes).fill(0);
  labels.forEach((label, i) => {
    if (!Number.isInteger(label) || label < 0 || label >= classes) {
      throw new Error(
        `Cannot compute class accuracy: label ${i} is ${label}, expected an integer in ` +
          `0..${classes - 1}`,
      );
    }
    totals[label]++;
    if (predictedLabels[i] === label) hits[label]++;
  });
  const correct = hits.reduce((a, b) => a + b, 0);
  return {
    accuracy: labels.length > 0 ? correct / labels.length : NaN,
    perClass: hits.map((h, c) => (totals[c] > 0 ? h / totals[c] : NaN)),
    predictedLabels,
  };
}
