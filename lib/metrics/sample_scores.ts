/**
 * Score sets of generated images against one fixed set of real images with the three numbers the
 * course reads together: FID (lower is better), precision (realism) and recall (variety).
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import type { FeatureExtractor } from "./feature_extractor.ts";
import { featureStatistics, frechetDistance } from "./fid.ts";
import type { Matrix } from "./linalg.ts";
import { precisionRecall } from "./precision_recall.ts";

/** What {@linkcode SampleScorer.score} returns. */
export interface SampleScores {
  /** FID against the real images (lower is better). */
  fid: number;
  /** Share of the samples inside the real images' manifold (realism), in [0, 1]. */
  precision: number;
  /** Share of the real images inside the samples' manifold (variety), in [0, 1]. */
  recall: number;
}

/** A scorer made by {@linkcode sampleScorer}. */
export interface SampleScorer {
  /** The real images' features. */
  realFeatures: Matrix;
  /** FID, precision and recall (k = 3) of `images` against the real images. */
  score(images: tf.Tensor): Promise<SampleScores>;
}

/**
 * Extract the real images' features once, and return a scorer for sets of generated images
 * (use as many samples as real images: precision and recall assume equal sizes).
 *
 * @example Real digits against themselves, then against blank images
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { initBackend } from "../backend.ts";
 * import { loadMnist } from "../data/mnist.ts";
 * import { featureExtractor } from "./feature_extractor.ts";
 * import { sampleScorer } from "./sample_scores.ts";
 * import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
 *
 * await initBackend();
 * const digits = await loadMnist({ split: "test", size: 100 });
 * const scorer = await sampleScorer(await featureExtractor(), digits.images);
 * const same = await scorer.score(digits.images);
 * assert(Math.abs(same.fid) < 1e-6);
 * assertEquals([same.precision, same.recall], [1, 1]);
 * const blank = await scorer.score(tf.fill([100, 28, 28, 1], -1));
 * assert(blank.fid > 100 && blank.recall < 0.05);
 * digits.dispose();
 * ```
 */
export async function sampleScorer(
  extractor: FeatureExtractor,
  realImages: tf.Tensor,
): Promise<SampleScorer> {
  const realFeatures = (await extractor.run(realImages)).features;
  const realStats = featureStatistics(realFeatures);
  return {
    realFeatures,
    async score(images) {
      const { features } = await extractor.run(images);
      const { precision, recall } = precisionRecall(realFeatures, features, { k: 3 });
      return { fid: frechetDistance(featureStatistics(features), realStats), precision, recall };
    },
  };
}
