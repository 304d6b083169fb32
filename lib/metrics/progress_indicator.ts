/**
 * The critic's loss as a training progress indicator (the WGAN and WGAN-GP papers' figure): a
 * training callback that, every few generator steps, records the critic's Wasserstein estimate
 * averaged over the steps since the last record, and the FID of a fixed latent batch's samples; and
 * the Pearson correlation that says how closely the one tracks the other.
 *
 * @module
 */
import type { TrainCallback, TrainState } from "../train/loop.ts";
import type { FeatureExtractor } from "./feature_extractor.ts";
import { type FeatureStatistics, featureStatistics, frechetDistance } from "./fid.ts";

/** One record of {@linkcode criticFidTracker}. */
export interface ProgressPoint {
  /** Generator steps done. */
  step: number;
  /** The mean of `estimate(logs)` over the steps since the previous record. */
  criticEstimate: number;
  /** FID of `samples` samples of the fixed latent batch against the real statistics. */
  fid: number;
}

/** Options of {@linkcode criticFidTracker}. */
export interface CriticFidTrackerOptions {
  /** Feature extractor of the FID (the shipped MNIST classifier's, `featureExtractor()`). */
  extractor: FeatureExtractor;
  /** Feature statistics of the real images the samples are compared with. */
  realStats: FeatureStatistics;
  /** Record every this many generator steps (and at the end of the run). */
  every: number;
  /** Samples per FID. Default 1000. */
  samples?: number;
  /** Seed of the fixed latent batch (`variant.sample(samples, seed)`). Default 21. */
  seed?: number;
  /**
   * The critic's estimate from one step's logs. Default {@linkcode wassersteinEstimate}:
   * `-(dLoss - penalty)`, the critic's score gap without its gradient penalty.
   */
  estimate?: (logs: Record<string, number>) => number;
}

/** The callback of {@linkcode criticFidTracker}, with what it recorded. */
export interface CriticFidTracker extends TrainCallback {
  /** The records so far, oldest first. */
  points: ProgressPoint[];
}

/**
 * The critic's estimate of the Wasserstein distance from a WGAN or WGAN-GP step's logs: the
 * negative critic loss, `-(dLoss - penalty)`, i.e. `E f(real) - E f(fake)` (the logged `dLoss`
 * includes the gradient penalty, which is no part of the estimate).
 *
 * @example
 * ```ts
 * import { wassersteinEstimate } from "./progress_indicator.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * assertEquals(wassersteinEstimate({ dLoss: -1.5, penalty: 0.5 }), 2);
 * assertEquals(wassersteinEstimate({ dLoss: -0.25 }), 0.25);
 * ```
 */
export function wassersteinEstimate(logs: Record<string, number>): number {
  if (!Number.isFinite(logs.dLoss)) {
    throw new Error(
      `Cannot estimate the Wasserstein distance: the step logged no finite dLoss, got ${logs.dLoss}`,
    );
  }
  return -(logs.dLoss - (logs.penalty ?? 0));
}

/**
 * A training callback that records, every `every` generator steps and at the end, the critic's
 * mean estimate since the previous record and the FID of `samples` samples of a fixed latent batch.
 * Plot `points` against the step, and correlate the two columns with {@linkcode pearson}.
 *
 * @example Records every 2 steps of a short run (estimates from a made-up log)
 * ```ts
 * import { criticFidTracker } from "./progress_indicator.ts";
 * import { featureStatistics } from "./fid.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * // An extractor that gives every sample set the real features: FID 0.
 * const features = [[0, 1], [1, 0], [1, 1], [0, 0]];
 * const tracker = criticFidTracker({
 *   extractor: { run: () => Promise.resolve({ features }) } as never,
 *   realStats: featureStatistics(features),
 *   every: 2,
 *   samples: 4,
 * });
 * const variant = { sample: () => ({ dispose() {} }) } as never;
 * for (const [step, dLoss] of [[1, -1], [2, -3], [3, -5]]) {
 *   await tracker.onStepEnd!({ step, variant } as never, { dLoss });
 * }
 * await tracker.onTrainEnd!({ step: 3, variant } as never, "completed");
 * assertEquals(tracker.points.map((p) => [p.step, p.criticEstimate]), [[2, 2], [3, 5]]);
 * assertEquals(tracker.points.every((p) => Math.abs(p.fid) < 1e-9), true);
 * ```
 */
export function criticFidTracker(options: CriticFidTrackerOptions): CriticFidTracker {
  const { extractor, realStats, every } = options;
  const samples = options.samples ?? 1000;
  const seed = options.seed ?? 21;
  const estimate = options.estimate ?? wassersteinEstimate;
  if (!Number.isInteger(every) || every < 1) {
    throw new Error(
      `Cannot track the critic and FID: every must be a positive integer, got ${every}`,
    );
  }
  if (!Number.isInteger(samples) || samples < 2) {
    throw new Error(
      `Cannot track the critic and FID: samples must be an integer of at least 2, got ${samples}`,
    );
  }
  const points: ProgressPoint[] = [];
  let sum = 0;
  let count = 0;
  const record = async (state: TrainState) => {
    const images = state.variant.sample?.(samples, seed);
    if (!images) {
      throw new Error(
        `Cannot track the critic and FID: variant ${state.variant.name} has no sample()`,
      );
    }
    let fid: number;
    try {
      const { features } = await extractor.run(images);
      fid = frechetDistance(featureStatistics(features), realStats);
    } finally {
      images.dispose();
    }
    points.push({ step: state.step, criticEstimate: count > 0 ? sum / count : NaN, fid });
    sum = 0;
    count = 0;
  };
  return {
    points,
    async onStepEnd(state, logs) {
      sum += estimate(logs);
      count += 1;
      if (state.step % every === 0) await record(state);
    },
    async onTrainEnd(state) {
      if (count > 0) await record(state);
    },
  };
}

/**
 * Pearson's correlation coefficient of two equally long series (NaN pairs are skipped): +1 when
 * one rises exactly as the other does, -1 when it falls, near 0 when they are unrelated.
 *
 * @example
 * ```ts
 * import { pearson } from "./progress_indicator.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * assertEquals(pearson([1, 2, 3], [2, 4, 6]), 1);
 * assertEquals(pearson([1, 2, 3], [3, 2, 1]), -1);
 * assertEquals(pearson([NaN, 1, 2, 3], [9, 1, 2, 4]).toFixed(3), "0.982");
 * ```
 */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) {
    throw new Error(
      `Cannot correlate: the series must be equally long, got ${a.length} and ${b.length}`,
    );
  }
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < a.length; i++) {
    if (Number.isFinite(a[i]) && Number.isFinite(b[i])) x.push(a[i]), y.push(b[i]);
  }
  if (x.length < 3) {
    throw new Error(
      `Cannot correlate: need at least 3 pairs of finite values, got ${x.length}; record more often`,
    );
  }
  const mean = (v: number[]) => v.reduce((s, t) => s + t, 0) / v.length;
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  if (sxx === 0 || syy === 0) {
    throw new Error("Cannot correlate: one of the series is constant");
  }
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}
