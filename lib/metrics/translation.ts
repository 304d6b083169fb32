/**
 * Scores of a paired image-to-image translation on MNIST (pix2pix): how close each output is to its
 * target (L1), whether the metric classifier still reads the target's digit in it, how sharp the
 * outputs are next to the targets, and FID of the outputs against the targets.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { sobelMagnitude } from "../data/edges.ts";
import { type FeatureExtractor, featureExtractor } from "./feature_extractor.ts";
import { featureStatistics, frechetDistance } from "./fid.ts";

/** What {@linkcode scoreTranslations} measured. */
export interface TranslationScores {
  /** Mean absolute pixel difference to the targets, on the [-1, 1] scale (0 is perfect). */
  l1: number;
  /** Share of outputs the classifier reads as the target's label. */
  classPreserved: number;
  /** The same share on the targets themselves: the classifier's own accuracy, the ceiling. */
  classOnTargets: number;
  /** Mean Sobel gradient magnitude of the outputs (on [0, 1] pixels): blur lowers it. */
  sharpness: number;
  /** The same on the targets: what a sharp output reaches. */
  targetSharpness: number;
  /** FID of the outputs against the targets (classifier features). */
  fid: number;
}

/**
 * Score translations `outputs` of inputs whose targets are `targets` (both `[n, 28, 28, 1]` in
 * [-1, 1]) with digit labels `labels`.
 *
 * @example Targets scored against themselves: L1 0, FID about 0, sharpness equal
 * ```ts
 * import { loadMnist } from "../data/mnist.ts";
 * import { scoreTranslations } from "./translation.ts";
 * import { ok, strictEqual } from "node:assert/strict";
 * const digits = await loadMnist({ split: "test", size: 100 });
 * const scores = await scoreTranslations(digits.images, digits.images, digits.labels);
 * strictEqual(scores.l1, 0);
 * strictEqual(scores.classPreserved, scores.classOnTargets);
 * ok(Math.abs(scores.fid) < 1e-3 && scores.sharpness === scores.targetSharpness);
 * digits.dispose();
 * ```
 */
export async function scoreTranslations(
  outputs: tf.Tensor4D,
  targets: tf.Tensor4D,
  labels: tf.Tensor1D | ArrayLike<number>,
  options: { extractor?: FeatureExtractor } = {},
): Promise<TranslationScores> {
  if (outputs.shape.join() !== targets.shape.join()) {
    throw new Error(
      `Cannot score translations: outputs [${outputs.shape}] and targets [${targets.shape}] ` +
        `must have the same shape`,
    );
  }
  const extractor = options.extractor ?? await featureExtractor();
  const mean = async (f: () => tf.Tensor) => {
    const t = tf.tidy(f);
    try {
      return (await t.data())[0];
    } finally {
      t.dispose();
    }
  };
  const sharpnessOf = (x: tf.Tensor4D) => mean(() => sobelMagnitude(x.add(1).div(2)).mean());
  const truth = labels instanceof tf.Tensor ? await labels.data() : labels;
  if (truth.length !== outputs.shape[0]) {
    throw new Error(
      `Cannot score translations: ${outputs.shape[0]} outputs but ${truth.length} labels`,
    );
  }
  const [outFeatures, targetFeatures] = [
    await extractor.run(outputs),
    await extractor.run(targets),
  ];
  const agreement = (predicted: Int32Array) =>
    predicted.reduce((hits, label, i) => hits + (label === truth[i] ? 1 : 0), 0) / truth.length;
  return {
    l1: await mean(() => outputs.sub(targets).abs().mean()),
    classPreserved: agreement(outFeatures.predictedLabels),
    classOnTargets: agreement(targetFeatures.predictedLabels),
    sharpness: await sharpnessOf(outputs),
    targetSharpness: await sharpnessOf(targets),
    fid: frechetDistance(
      featureStatistics(outFeatures.features),
      featureStatistics(targetFeatures.features),
    ),
  };
}

/**
 * One row of a results table for {@linkcode TranslationScores}: L1, the share of digits kept and the
 * sharpness next to the targets' values, and FID, as text.
 *
 * @example
 * ```ts
 * import { translationRow } from "./translation.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const row = translationRow({
 *   l1: 0.05, classPreserved: 0.95, classOnTargets: 0.98, sharpness: 0.18, targetSharpness: 0.182, fid: 4.2,
 * });
 * assertEquals(row, {
 *   "L1 to target": "0.0500",
 *   "digit kept": "95.0% (targets: 98.0%)",
 *   "sharpness": "0.180 (targets: 0.182)",
 *   "FID": "4.2",
 * });
 * ```
 */
export function translationRow(scores: TranslationScores): Record<string, string> {
  const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
  return {
    "L1 to target": scores.l1.toFixed(4),
    "digit kept": `${pct(scores.classPreserved)} (targets: ${pct(scores.classOnTargets)})`,
    "sharpness": `${scores.sharpness.toFixed(3)} (targets: ${scores.targetSharpness.toFixed(3)})`,
    "FID": scores.fid.toFixed(1),
  };
}
