/**
 * Run a classifier over many images in batches and collect its penultimate features (for FID/KID)
 * and its class probabilities (for the Inception Score and class accuracy) in one pass.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { FEATURE_LAYER, loadMnistClassifier } from "./classifier.ts";
import type { Matrix } from "./linalg.ts";
import { checkMetricImages } from "./metric_input_checks.ts";

/** Options of {@linkcode FeatureExtractor.run}. */
export interface ExtractOptions {
  /** Images per forward pass. Default 500. */
  batchSize?: number;
}

/** What one pass of a {@linkcode FeatureExtractor} returns, in float64. */
export interface Extracted {
  /** Activations of the feature layer, `[n, d]`. */
  features: Matrix;
  /** Class probabilities, `[n, classes]` (softmax of the output, unless it already is one). */
  probabilities: Matrix;
  /** The most probable class of each image. */
  predictedLabels: Int32Array;
}

/** A classifier wrapped to give features and probabilities for batches of images. */
export interface FeatureExtractor {
  /** The wrapped classifier. */
  model: tf.LayersModel;
  /** The layer whose activations are the features. */
  layerName: string;
  /** Feature dimension d. */
  featureDim: number;
  /**
   * Features, probabilities and predicted labels of `images` (the classifier's input shape), read
   * back asynchronously (so it works on GPU backends).
   */
  run(images: tf.Tensor, options?: ExtractOptions): Promise<Extracted>;
}

const EXTRACT_DEFAULTS: Required<ExtractOptions> = { batchSize: 500 };

/**
 * Wrap a classifier as a feature extractor. With no arguments, the shipped MNIST classifier and its
 * "features" layer; pass any `tf.LayersModel` and the name of one of its layers to swap it (for
 * example a classifier for another data set). The model's output is taken as logits unless its last
 * layer already applies a softmax.
 *
 * @example Features of a (random) classifier
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { featureExtractor } from "./feature_extractor.ts";
 * const model = tf.sequential({
 *   layers: [
 *     tf.layers.flatten({ inputShape: [4, 4, 1] }),
 *     tf.layers.dense({ units: 8, activation: "relu", name: "hidden" }),
 *     tf.layers.dense({ units: 3 }),
 *   ],
 * });
 * const extractor = await featureExtractor(model, "hidden");
 * const { features, probabilities } = await extractor.run(tf.zeros([5, 4, 4, 1]));
 * assertEquals([features.rows, features.cols, probabilities.cols], [5, 8, 3]);
 * ```
 */
export async function featureExtractor(
  model?: tf.LayersModel,
  layerName: string = FEATURE_LAYER,
): Promise<FeatureExtractor> {
  const classifier = model ?? await loadMnistClassifier();
  let layer: tf.layers.Layer;
  try {
    layer = classifier.getLayer(layerName);
  } catch {
    throw new Error(
      `Cannot build a feature extractor: the model has no layer "${layerName}"; its layers are ` +
        classifier.layers.map((l) => l.name).join(", "),
    );
  }
  const featureOutput = layer.output as tf.SymbolicTensor;
  const featureDim = featureOutput.shape.slice(1).reduce((a: number, b) => a * (b ?? 1), 1);
  const twoHeads = tf.model({
    inputs: classifier.inputs,
    outputs: [featureOutput, classifier.outputs[0]],
  });
  const lastActivation = classifier.layers.at(-1)?.getConfig().activation;
  const outputIsSoftmax = lastActivation === "softmax";
  const inputShape = classifier.inputs[0].shape.slice(1);

  async function run(images: tf.Tensor, options: ExtractOptions = {}): Promise<Extracted> {
    const { batchSize } = { ...EXTRACT_DEFAULTS, ...options };
    const shape = images.shape.slice(1);
    if (shape.length !== inputShape.length || shape.some((s, i) => s !== inputShape[i])) {
      throw new Error(
        `Cannot extract features: the classifier takes images [n, ${inputShape.join(", ")}], ` +
          `got [${images.shape.join(", ")}]; resize or convert the images first ` +
          `(rgbToGrey() turns RGB into one channel)`,
      );
    }
    await checkMetricImages(images, "Cannot score images");
    const n = images.shape[0];
    let classes = 0;
    const features = new Float64Array(n * featureDim);
    let probabilities = new Float64Array(0);
    const predictedLabels = new Int32Array(n);
    for (let start = 0; start < n; start += batchSize) {
      const count = Math.min(batchSize, n - start);
      const [f, p, labels] = tf.tidy(() => {
        const batch = images.slice(start, count);
        const [rawFeatures, output] = twoHeads.predict(batch) as tf.Tensor[];
        const probs = outputIsSoftmax ? output : tf.softmax(output);
        return [rawFeatures.reshape([count, featureDim]), probs, probs.argMax(-1)];
      });
      if (classes === 0) {
        classes = p.shape[1]!;
        probabilities = new Float64Array(n * classes);
      }
      // Asynchronous reads: a GPU backend keeps computing, and webgpu under Deno has no sync read.
      try {
        const [fv, pv, lv] = await Promise.all([f.data(), p.data(), labels.data()]);
        features.set(fv, start * featureDim);
        probabilities.set(pv, start * classes);
        predictedLabels.set(lv, start);
      } finally {
        tf.dispose([f, p, labels]);
      }
    }
    return {
      features: { rows: n, cols: featureDim, data: features },
      probabilities: { rows: n, cols: classes, data: probabilities },
      predictedLabels,
    };
  }

  return { model: classifier, layerName, featureDim, run };
}
