/**
 * The course's face metric classifier: a small CNN that reads the tags of the cartoon faces of
 * `lib/data/faces.ts` (hair colour and skin colour, one softmax head each). Its penultimate
 * layer ("features") gives FID, KID and precision/recall features on faces, as the MNIST classifier
 * of `classifier.ts` does on digits, and its heads give the tag accuracy of a conditional
 * generator's samples. `scripts/train_face_classifier.ts` trains it on rendered training faces; the
 * weights ship in `data/faces_classifier/`.
 *
 * It reads 32x32 RGB images in [-1, 1]; {@linkcode faceExtractor} shrinks larger faces first (an
 * average over k x k pixels when the side is 32k, which is how a face rendered at 64 or 96 pixels
 * compares with one rendered at 32, else bilinear).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { fileURLToPath } from "node:url";
import { FACE_HAIR_COLOURS, FACE_SKIN_COLOURS } from "../data/faces.ts";
import { FEATURE_LAYER, loadClassifierOnce, seededLayers } from "./classifier.ts";
import { type FeatureExtractor, featureExtractor } from "./feature_extractor.ts";

/** Side of the images the face classifier reads. */
export const FACE_CLASSIFIER_SIZE = 32;

/** Where the shipped face classifier lives: `data/faces_classifier/` at the repository root. */
export const DEFAULT_FACE_CLASSIFIER_DIR: string = fileURLToPath(
  new URL("../../data/faces_classifier/", import.meta.url),
);

/** A tag group the classifier reads: the name of its output layer and its number of values. */
export interface FaceTagHead {
  /** Name of the group and of its logits layer, e.g. `"hair"`. */
  name: string;
  /** Number of values of the group. */
  size: number;
}

/** The face set's tag groups: hair colour (10) and skin colour (4). */
export const FACE_TAG_HEADS: readonly FaceTagHead[] = [
  { name: "hair", size: FACE_HAIR_COLOURS.length },
  { name: "skin", size: FACE_SKIN_COLOURS.length },
];

/** Options of {@linkcode buildFaceClassifier}. */
export interface FaceClassifierOptions {
  /** Width of the "features" layer (the FID/KID dimension). Default 128. */
  featureDim?: number;
  /** Dropout rate after the features. Default 0.3. */
  dropout?: number;
  /** The tag groups, one logits head each. Default {@linkcode FACE_TAG_HEADS}. */
  heads?: readonly FaceTagHead[];
  /** Seed of the weight initialisers. Default 0. */
  seed?: number;
}

/**
 * Build the face classifier (untrained): images `[batch, 32, 32, 3]` in [-1, 1] -> one logits
 * tensor per tag group (`[batch, 10]` hair, `[batch, 4]` skin), with the shared penultimate ReLU
 * layer named {@linkcode FEATURE_LAYER}. About 16 MFLOP per image; 190,000 weights (0.76 MB).
 *
 * @example Two heads on a shared feature layer
 * ```ts
 * import { buildFaceClassifier } from "./face_classifier.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const model = buildFaceClassifier();
 * assertEquals(model.outputs.map((o) => o.shape), [[null, 10], [null, 4]]);
 * assertEquals(model.getLayer("features").outputShape, [null, 128]);
 * model.dispose();
 * ```
 */
export function buildFaceClassifier(options: FaceClassifierOptions = {}): tf.LayersModel {
  const { featureDim = 128, dropout = 0.3, heads = FACE_TAG_HEADS, seed = 0 } = options;
  if (!Number.isInteger(featureDim) || featureDim < 1) {
    throw new Error(
      `Cannot build the face classifier: featureDim must be a positive integer, got ${featureDim}`,
    );
  }
  if (heads.length === 0 || heads.some((h) => !Number.isInteger(h.size) || h.size < 2)) {
    throw new Error(
      `Cannot build the face classifier: heads must be tag groups of at least 2 values, got ` +
        JSON.stringify(heads),
    );
  }
  const { init, conv, nextSeed } = seededLayers(seed);
  const pool = () => tf.layers.maxPooling2d({ poolSize: 2 });
  const input = tf.input({ shape: [FACE_CLASSIFIER_SIZE, FACE_CLASSIFIER_SIZE, 3] });
  let x = conv(32).apply(input) as tf.SymbolicTensor; // [batch, 32, 32, 3] -> [batch, 32, 32, 32]
  x = pool().apply(x) as tf.SymbolicTensor; // -> [batch, 16, 16, 32]
  x = conv(64).apply(x) as tf.SymbolicTensor; // -> [batch, 16, 16, 64]
  x = pool().apply(x) as tf.SymbolicTensor; // -> [batch, 8, 8, 64]
  x = conv(64).apply(x) as tf.SymbolicTensor; // -> [batch, 8, 8, 64]
  x = pool().apply(x) as tf.SymbolicTensor; // -> [batch, 4, 4, 64]
  x = tf.layers.flatten().apply(x) as tf.SymbolicTensor; // -> [batch, 1024]
  const features = tf.layers.dense({
    units: featureDim,
    activation: "relu",
    name: FEATURE_LAYER,
    kernelInitializer: init(),
  }).apply(x) as tf.SymbolicTensor; // -> [batch, featureDim]
  const dropped = tf.layers.dropout({ rate: dropout, seed: nextSeed() }).apply(features);
  const outputs = heads.map((head) =>
    tf.layers.dense({ units: head.size, name: head.name, kernelInitializer: init() })
      .apply(dropped) as tf.SymbolicTensor // -> [batch, head.size]
  );
  return tf.model({ name: "face_classifier", inputs: input, outputs });
}

/**
 * Load the shipped face classifier (or one saved by `scripts/train_face_classifier.ts` in `dir`),
 * once per directory: later calls return the same model.
 *
 * @example The shipped classifier reads hair and skin
 * ```ts
 * import { loadFaceClassifier } from "./face_classifier.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const model = await loadFaceClassifier();
 * assertEquals(model.outputNames, ["hair", "skin"]);
 * ```
 */
export function loadFaceClassifier(
  dir: string = DEFAULT_FACE_CLASSIFIER_DIR,
): Promise<tf.LayersModel> {
  return loadClassifierOnce(dir, "face classifier", "train-face-classifier");
}

/**
 * Shrink RGB images `[n, s, s, 3]` to the classifier's 32x32: unchanged at 32, the mean of each
 * k x k block when s = 32k, else bilinear.
 *
 * @example A 64x64 image of 2x2 blocks becomes their means
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { toFaceClassifierSize } from "./face_classifier.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const small = toFaceClassifierSize(tf.ones([2, 64, 64, 3]));
 * assertEquals(small.shape, [2, 32, 32, 3]);
 * assertEquals(small.max().arraySync(), 1);
 * ```
 */
export function toFaceClassifierSize(images: tf.Tensor): tf.Tensor4D {
  const [n, height, width, channels] = images.shape;
  if (images.rank !== 4 || channels !== 3 || height !== width) {
    throw new Error(
      `Cannot read faces: the face classifier takes square RGB images [n, s, s, 3], got ` +
        `[${images.shape.join(", ")}]`,
    );
  }
  const size = FACE_CLASSIFIER_SIZE;
  if (height === size) return images.clone() as tf.Tensor4D;
  return tf.tidy(() => {
    const x = images as tf.Tensor4D;
    if (height % size === 0) return tf.avgPool(x, height / size, height / size, "valid");
    return tf.image.resizeBilinear(x, [size, size], false, true).reshape([n, size, size, 3]);
  });
}

/** Options of {@linkcode faceExtractor}. */
export interface FaceExtractorOptions {
  /** The classifier. Default: the shipped one ({@linkcode loadFaceClassifier}). */
  model?: tf.LayersModel;
  /** The tag group whose probabilities `run()` returns (features are shared). Default `"hair"`. */
  group?: string;
}

/**
 * The face classifier as a {@linkcode FeatureExtractor}: `run(images)` takes faces of any square
 * size, shrinks them to 32x32, and returns the shared features (for FID, KID, precision/recall)
 * with the probabilities and predicted labels of one tag group (for tag accuracy with
 * `classAccuracy`).
 *
 * @example Real held-out faces: the hair colours are read back
 * ```ts
 * import { loadFaces } from "../data/faces.ts";
 * import { faceExtractor } from "./face_classifier.ts";
 * import { classAccuracy } from "./class_accuracy.ts";
 * import { ok as assert } from "node:assert/strict";
 *
 * const faces = await loadFaces({ size: 40, imageSize: 64, split: "test", cacheDir: false });
 * const extractor = await faceExtractor({ group: "hair" });
 * const { accuracy } = await classAccuracy(faces.images, faces.groups[0].labels, { extractor });
 * assert(accuracy >= 0.95, `hair accuracy ${accuracy}`);
 * faces.dispose();
 * ```
 */
export async function faceExtractor(options: FaceExtractorOptions = {}): Promise<FeatureExtractor> {
  const model = options.model ?? await loadFaceClassifier();
  const group = options.group ?? model.outputNames[0];
  const index = model.outputNames.indexOf(group);
  if (index < 0) {
    throw new Error(
      `Cannot build a face extractor: the classifier has no tag group "${group}"; its groups ` +
        `are ${model.outputNames.join(", ")}`,
    );
  }
  const head = index === 0
    ? model
    : tf.model({ inputs: model.inputs, outputs: [model.outputs[index]] });
  const inner = await featureExtractor(head, FEATURE_LAYER);
  return {
    ...inner,
    model,
    async run(images, runOptions) {
      const small = toFaceClassifierSize(images);
      try {
        return await inner.run(small, runOptions);
      } finally {
        small.dispose();
      }
    },
  };
}
