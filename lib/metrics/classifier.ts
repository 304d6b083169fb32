/**
 * The course's MNIST metric classifier: a small CNN whose softmax gives the Inception Score and whose
 * penultimate layer ("features") gives FID and KID features, as TF-GAN's MNIST tools do with their
 * LeNet ("Fréchet LeNet distance"). `scripts/train_classifier.ts` trains it on the embedded MNIST
 * training split; the weights ship in `data/classifier/`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { fileURLToPath } from "node:url";
import { loadModel } from "../io/model_io.ts";

/** Name of the layer whose activations are the FID/KID features. */
export const FEATURE_LAYER = "features";

/** Where the shipped classifier lives: `data/classifier/` at the repository root. */
export const DEFAULT_CLASSIFIER_DIR: string = fileURLToPath(
  new URL("../../data/classifier/", import.meta.url),
);

/** Options of {@linkcode buildMnistClassifier}. */
export interface MnistClassifierOptions {
  /** Width of the "features" layer (the FID/KID dimension). Default 128. */
  featureDim?: number;
  /** Dropout rate after the features. Default 0.4. */
  dropout?: number;
  /** Seed of the weight initialisers. Default 0. */
  seed?: number;
}

const CLASSIFIER_DEFAULTS: Required<MnistClassifierOptions> = {
  featureDim: 128,
  dropout: 0.4,
  seed: 0,
};

/** Seeded layer makers shared by the metric classifiers: He-normal weights, seeds counted up. */
export interface SeededLayers {
  /** A He-normal initialiser with the next seed. */
  init(): ReturnType<typeof tf.initializers.heNormal>;
  /** A 3x3 "same" convolution with ReLU and the next seed. */
  conv(filters: number): tf.layers.Layer;
  /** The next seed (for dropout). */
  nextSeed(): number;
}

/**
 * Layer makers whose seeds count up from `seed`, so that a classifier's weights depend only on it.
 *
 * @example Two convolutions get different seeds
 * ```ts
 * import { seededLayers } from "./classifier.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const layers = seededLayers(5);
 * assertEquals(layers.conv(8).getConfig().filters, 8);
 * assertEquals(layers.nextSeed(), 6);
 * ```
 */
export function seededLayers(seed: number): SeededLayers {
  let s = seed;
  const init = () => tf.initializers.heNormal({ seed: s++ });
  const conv = (filters: number) =>
    tf.layers.conv2d({
      filters,
      kernelSize: 3,
      padding: "same",
      activation: "relu",
      kernelInitializer: init(),
    });
  return { init, conv, nextSeed: () => s++ };
}

/**
 * Build the metric classifier (untrained): images `[batch, 28, 28, 1]` in [-1, 1] -> logits
 * `[batch, 10]`, with the penultimate ReLU layer named {@linkcode FEATURE_LAYER}.
 * About 12 MFLOP per image, so 10,000 images take seconds on wasm.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { buildMnistClassifier } from "./classifier.ts";
 * const model = buildMnistClassifier({ featureDim: 16 });
 * assertEquals(model.outputs[0].shape, [null, 10]);
 * model.dispose();
 * ```
 */
export function buildMnistClassifier(options: MnistClassifierOptions = {}): tf.LayersModel {
  const { featureDim, dropout, seed } = { ...CLASSIFIER_DEFAULTS, ...options };
  if (!Number.isInteger(featureDim) || featureDim < 1) {
    throw new Error(
      `Cannot build classifier: featureDim must be a positive integer, got ${featureDim}`,
    );
  }
  const { init, conv, nextSeed } = seededLayers(seed);
  return tf.sequential({
    name: "mnist_classifier",
    layers: [
      tf.layers.inputLayer({ inputShape: [28, 28, 1] }),
      conv(32), // [batch, 28, 28, 1] -> [batch, 28, 28, 32]
      tf.layers.maxPooling2d({ poolSize: 2 }), // -> [batch, 14, 14, 32]
      conv(64), // -> [batch, 14, 14, 64]
      tf.layers.maxPooling2d({ poolSize: 2 }), // -> [batch, 7, 7, 64]
      conv(64), // -> [batch, 7, 7, 64]
      tf.layers.maxPooling2d({ poolSize: 2 }), // -> [batch, 3, 3, 64]
      tf.layers.flatten(), // -> [batch, 576]
      tf.layers.dense({
        units: featureDim,
        activation: "relu",
        name: FEATURE_LAYER,
        kernelInitializer: init(),
      }), // -> [batch, featureDim]
      tf.layers.dropout({ rate: dropout, seed: nextSeed() }),
      tf.layers.dense({ units: 10, name: "logits", kernelInitializer: init() }), // -> [batch, 10]
    ],
  });
}

const cache = new Map<string, Promise<tf.LayersModel>>();

/**
 * Load a classifier saved in `dir` once per directory (later calls return the same model); when it
 * cannot be read, the error names `what` it is and the `task` that writes it.
 *
 * @example A missing folder says which task writes it
 * ```ts
 * import { loadClassifierOnce } from "./classifier.ts";
 * import { rejects } from "node:assert/strict";
 *
 * await rejects(
 *   loadClassifierOnce("/nowhere", "face classifier", "train-face-classifier"),
 *   /Cannot load the face classifier from \/nowhere: .*deno task train-face-classifier/,
 * );
 * ```
 */
export function loadClassifierOnce(
  dir: string,
  what: string,
  task: string,
): Promise<tf.LayersModel> {
  let model = cache.get(dir);
  if (!model) {
    model = loadModel(dir).catch((error) => {
      cache.delete(dir);
      throw new Error(
        `Cannot load the ${what} from ${dir}: ${
          error instanceof Error ? error.message : error
        }. Run \`deno task ${task}\` to write it.`,
      );
    });
    cache.set(dir, model);
  }
  return model;
}

/**
 * Load the shipped metric classifier (or one saved by `scripts/train_classifier.ts` in `dir`),
 * once per directory: later calls return the same model.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { initBackend } from "../backend.ts";
 * import { loadMnistClassifier } from "./classifier.ts";
 * await initBackend();
 * const model = await loadMnistClassifier();
 * assertEquals(model.getLayer("features").outputShape, [null, 128]);
 * ```
 */
export function loadMnistClassifier(dir: string = DEFAULT_CLASSIFIER_DIR): Promise<tf.LayersModel> {
  return loadClassifierOnce(dir, "metric classifier", "train-classifier");
}
