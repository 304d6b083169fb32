/**
 * One call that scores a set of generated images the way the notebooks compare generators: FID,
 * KID and Inception Score against the held-out digits ({@linkcode evaluateImages}), precision and
 * recall against held-out features ({@linkcode precisionRecall}), and a Markdown table of several
 * such scores side by side.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { evaluateImages } from "./evaluate.ts";
import type { FeatureExtractor } from "./feature_extractor.ts";
import type { Matrix } from "./linalg.ts";
import { precisionRecall } from "./precision_recall.ts";

/** What {@linkcode scoreImages} measured. */
export interface ImageScores {
  /** FID against the real images (lower is better). */
  fid: number;
  /** KID against the real images, mean over subsets (lower is better). */
  kid: number;
  /** Inception Score, mean over splits (at most 10 on MNIST). */
  inceptionScore: number;
  /** Share of the samples inside the real images' feature manifold: realism. */
  precision: number;
  /** Share of the real images inside the samples' feature manifold: variety. */
  recall: number;
}

/** Options of {@linkcode scoreImages}. */
export interface ScoreImagesOptions {
  /** Classifier features `[m, d]` of held-out real images, for precision and recall. */
  heldOutFeatures: Matrix;
  /** The classifier that made them (the same one scores the samples). */
  extractor: FeatureExtractor;
  /** Real images for FID, KID and IS. Default: the held-out MNIST split. */
  realImages?: tf.Tensor4D;
  /** KID subsets. Default `evaluateImages`' 50 (fewer is faster and noisier). */
  kidSubsets?: number;
  /** Nearest neighbour that sets each point's ball for precision and recall. Default 3. */
  k?: number;
}

/**
 * Score generated images `[n, h, w, c]` in [-1, 1]: FID, KID and IS against real images, precision
 * and recall against held-out features. The images stay the caller's.
 *
 * @example Real training digits score like real digits: low FID, high precision and recall
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { initBackend } from "../backend.ts";
 * import { loadMnist } from "../data/mnist.ts";
 * import { featureExtractor } from "./feature_extractor.ts";
 * import { scoreImages } from "./image_scores.ts";
 * await initBackend();
 * const extractor = await featureExtractor();
 * const heldOut = await loadMnist({ split: "test", size: 300 });
 * const heldOutFeatures = (await extractor.run(heldOut.images)).features;
 * const digits = await loadMnist({ split: "train", size: 300 });
 * const scores = await scoreImages(digits.images, {
 *   extractor, heldOutFeatures, realImages: heldOut.images, kidSubsets: 5,
 * });
 * assert(scores.fid < 15 && scores.precision > 0.7 && scores.recall > 0.7, JSON.stringify(scores));
 * digits.dispose();
 * heldOut.dispose();
 * ```
 */
export async function scoreImages(
  images: tf.Tensor4D,
  options: ScoreImagesOptions,
): Promise<ImageScores> {
  const { extractor } = options;
  const report = await evaluateImages(images, {
    extractor,
    realImages: options.realImages,
    kid: options.kidSubsets === undefined ? undefined : { subsets: options.kidSubsets },
  });
  const features = (await extractor.run(images)).features;
  const pr = precisionRecall(options.heldOutFeatures, features, { k: options.k ?? 3 });
  return {
    fid: report.fid,
    kid: report.kid.mean,
    inceptionScore: report.inceptionScore.mean,
    precision: pr.precision,
    recall: pr.recall,
  };
}

/**
 * A Markdown table of named scores, one row each, with an optional extra column per row.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { scoresTable } from "./image_scores.ts";
 * const s = { fid: 88.61, kid: 0.15, inceptionScore: 6.2, precision: 0.5, recall: 0.71 };
 * assertEquals(scoresTable({ "DCGAN, EMA": s }, { title: "2000 samples" }).split("\n"), [
 *   "| 2000 samples | FID | KID | IS | precision | recall |",
 *   "|---|---|---|---|---|---|",
 *   "| DCGAN, EMA | 88.6 | 0.15 | 6.20 | 0.500 | 0.710 |",
 * ]);
 * ```
 */
export function scoresTable(
  rows: Record<string, ImageScores>,
  options: { title?: string; extra?: { name: string; values: Record<string, string> } } = {},
): string {
  const extra = options.extra;
  const head = ["FID", "KID", "IS", "precision", "recall", ...(extra ? [extra.name] : [])];
  return [
    `| ${options.title ?? "samples"} | ${head.join(" | ")} |`,
    `|${"---|".repeat(head.length + 1)}`,
    ...Object.entries(rows).map(([name, s]) => {
      const cells = [
        s.fid.toFixed(1),
        s.kid.toFixed(2),
        s.inceptionScore.toFixed(2),
        s.precision.toFixed(3),
        s.recall.toFixed(3),
        ...(extra ? [extra.values[name] ?? ""] : []),
      ];
      return `| ${name} | ${cells.join(" | ")} |`;
    }),
  ].join("\n");
}
