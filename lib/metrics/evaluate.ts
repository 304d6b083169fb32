/**
 * Score a batch of generated images against held-out real digits in one call: Inception Score,
 * FID, KID and (when the intended labels are known) class accuracy, with a printable table.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { loadMnist } from "../data/mnist.ts";
import { classAccuracy } from "./class_accuracy.ts";
import { type FeatureExtractor, featureExtractor } from "./feature_extractor.ts";
import { featureStatistics, frechetDistance } from "./fid.ts";
import { inceptionScore } from "./inception_score.ts";
import { kid, type KidOptions } from "./kid.ts";

/** Options of {@linkcode evaluateImages}. */
export interface EvaluateOptions {
  /** Real images to compare with. Default: the held-out MNIST test split, in [-1, 1]. */
  realImages?: tf.Tensor4D;
  /** The label each image was generated for; adds class accuracy to the report. */
  labels?: ArrayLike<number>;
  /** Classifier and feature layer. Default: the shipped MNIST classifier. */
  extractor?: FeatureExtractor;
  /** Inception Score splits. Default 10. */
  splits?: number;
  /** KID subsets, subset size and seed. Default `{ subsets: 50, subsetSize: 1000, seed: 0 }`. */
  kid?: KidOptions;
}

/** What {@linkcode evaluateImages} measured. */
export interface EvaluationReport {
  /** Number of images scored. */
  count: number;
  /** Number of real images they were compared with. */
  realCount: number;
  /** Inception Score, mean and std over splits (10 is the maximum on MNIST). */
  inceptionScore: { mean: number; std: number };
  /** FID against the real images' classifier features. */
  fid: number;
  /** KID against the real images' classifier features, mean and std over subsets. */
  kid: { mean: number; std: number };
  /** Class accuracy of the images under their intended labels, when labels were given. */
  classAccuracy?: number;
  /** Seconds spent on each stage. */
  seconds: { features: number; inceptionScore: number; fid: number; kid: number };
}

/**
 * Score images `[n, 28, 28, 1]` in [-1, 1] against real digits (by default the held-out MNIST
 * split, which the metric classifier never trained on).
 *
 * @example Real training digits against the held-out digits
 * ```ts
 * import { match as assertMatch, ok as assert } from "node:assert/strict";
 * import { initBackend } from "../backend.ts";
 * import { loadMnist } from "../data/mnist.ts";
 * import { evaluateImages, formatReport } from "./evaluate.ts";
 * await initBackend();
 * const digits = await loadMnist({ split: "train", size: 200 });
 * const report = await evaluateImages(digits.images, {
 *   labels: digits.labels.dataSync(),
 *   splits: 2,
 *   kid: { subsets: 5, subsetSize: 100 },
 * });
 * assert(report.fid >= 0 && report.inceptionScore.mean >= 1 && report.count === 200);
 * assertMatch(formatReport(report, "real digits"), /200 real digits vs/);
 * digits.dispose();
 * ```
 */
export async function evaluateImages(
  images: tf.Tensor4D,
  options: EvaluateOptions = {},
): Promise<EvaluationReport> {
  const extractor = options.extractor ?? await featureExtractor();
  let realImages = options.realImages;
  let held: { dispose(): void } | undefined;
  if (!realImages) {
    const test = await loadMnist({ split: "test", range: "[-1,1]" });
    realImages = test.images;
    held = test;
  }
  try {
    let t = performance.now();
    const fake = await extractor.run(images);
    const real = await extractor.run(realImages);
    const features = (performance.now() - t) / 1000;

    t = performance.now();
    const is = await inceptionScore(fake.probabilities, { splits: options.splits ?? 10 });
    const isSeconds = (performance.now() - t) / 1000;

    t = performance.now();
    const fid = frechetDistance(featureStatistics(fake.features), featureStatistics(real.features));
    const fidSeconds = (performance.now() - t) / 1000;

    t = performance.now();
    const k = kid(fake.features, real.features, options.kid);
    const kidSeconds = (performance.now() - t) / 1000;

    const accuracy = options.labels
      ? (await classAccuracy(images, options.labels, { extractor })).accuracy
      : undefined;
    return {
      count: images.shape[0],
      realCount: realImages.shape[0],
      inceptionScore: { mean: is.mean, std: is.std },
      fid,
      kid: { mean: k.mean, std: k.std },
      classAccuracy: accuracy,
      seconds: { features, inceptionScore: isSeconds, fid: fidSeconds, kid: kidSeconds },
    };
  } finally {
    held?.dispose();
  }
}

/**
 * A small text table of a report, one metric a row.
 *
 * @example
 * ```ts
 * import { match as assertMatch } from "node:assert/strict";
 * import { formatReport } from "./evaluate.ts";
 * const table = formatReport({
 *   count: 10, realCount: 20, inceptionScore: { mean: 9.1, std: 0.1 }, fid: 1.5,
 *   kid: { mean: 0.01, std: 0.002 },
 *   seconds: { features: 0.1, inceptionScore: 0, fid: 0.2, kid: 0.3 },
 * });
 * assertMatch(table, /10 samples vs 20 held-out real digits/);
 * assertMatch(table, /^FID +\| 1\.500$/m);
 * ```
 */
export function formatReport(report: EvaluationReport, title = "samples"): string {
  const rows: [string, string][] = [
    ["images", `${report.count} ${title} vs ${report.realCount} held-out real digits`],
    [
      "Inception Score",
      `${report.inceptionScore.mean.toFixed(3)} ± ${report.inceptionScore.std.toFixed(3)} (max 10)`,
    ],
    ["FID", report.fid.toFixed(3)],
    ["KID", `${report.kid.mean.toFixed(4)} ± ${report.kid.std.toFixed(4)}`],
  ];
  if (report.classAccuracy !== undefined) {
    rows.push(["class accuracy", `${(100 * report.classAccuracy).toFixed(2)}%`]);
  }
  const s = report.seconds;
  rows.push([
    "seconds",
    `features ${s.features.toFixed(2)}, IS ${s.inceptionScore.toFixed(2)}, ` +
    `FID ${s.fid.toFixed(2)}, KID ${s.kid.toFixed(2)}`,
  ]);
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)} | ${v}`).join("\n");
}
