/**
 * Mode coverage of a GAN trained on a toy Gaussian mixture (the ring of 8, the 5x5 grid): how many
 * of the known modes it hits, and how many of its samples land close to a mode. This is the
 * measure the Unrolled GAN, VEEGAN and PacGAN papers report for mode collapse.
 *
 * Each sample is assigned to its nearest mode centre. It is *high quality* when it lies within
 * `stdThreshold` standard deviations of that centre (3 by default: a real sample of a 2-D Gaussian
 * is that close 98.9 % of the time). A mode is *covered* when at least `minCount` high-quality
 * samples fall on it.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { ToyModes } from "../data/toy.ts";

/** Options of {@linkcode modeCoverage}. */
export interface ModeCoverageOptions {
  /** A sample is high quality within this many standard deviations of its nearest mode.
   * Default `3`. */
  stdThreshold?: number;
  /** High-quality samples a mode needs to count as covered. Default: 0.8 % of the samples (20 of
   * 2,500), at least 1. */
  minCount?: number;
}

/** The result of {@linkcode modeCoverage}. */
export interface ModeCoverage {
  /** Modes with at least `minCount` high-quality samples. */
  modesCovered: number;
  /** Number of known modes. */
  totalModes: number;
  /** `modesCovered / totalModes`. */
  fractionModes: number;
  /** Fraction of samples within `stdThreshold` std of their nearest mode. */
  highQualityFraction: number;
  /** High-quality samples per mode, in the order of the mode centres. */
  perMode: number[];
  /** Whether each mode is covered. */
  covered: boolean[];
  /** Number of samples scored. */
  sampleCount: number;
  /** The `minCount` used. */
  minCount: number;
}

/**
 * Measure how many modes of a toy mixture a set of samples covers, and how many samples are close
 * to a mode.
 *
 * @example Real ring samples cover all 8 modes
 * ```ts
 * import { sampleRing, ringModes } from "../data/toy.ts";
 * import { modeCoverage } from "./mode_coverage.ts";
 * import { ok as assert } from "node:assert/strict";
 *
 * const samples = sampleRing(800, { seed: 1 });
 * const coverage = modeCoverage(samples, ringModes());
 * assert(coverage.modesCovered === 8 && coverage.highQualityFraction > 0.95);
 * samples.dispose();
 * ```
 */
export function modeCoverage(
  samples: tf.Tensor2D | number[][],
  modes: ToyModes,
  options: ModeCoverageOptions = {},
): ModeCoverage {
  const { centres, std } = modes;
  const dim = centres[0]?.length ?? 0;
  if (centres.length === 0 || centres.some((c) => c.length !== dim)) {
    throw new Error(
      "Cannot measure mode coverage: modes.centres must be a non-empty list of points of one " +
        "dimension",
    );
  }
  if (!(std > 0)) {
    throw new Error(`Cannot measure mode coverage: modes.std must be positive, got ${std}`);
  }
  const [n, sampleDim, values] = samples instanceof tf.Tensor
    ? [samples.shape[0], samples.shape[1], samples.dataSync()]
    : [samples.length, samples[0]?.length ?? dim, samples.flat()];
  if (sampleDim !== dim) {
    throw new Error(
      `Cannot measure mode coverage: samples have ${sampleDim} dimensions but the modes have ` +
        `${dim}`,
    );
  }
  const { stdThreshold = 3, minCount = Math.max(1, Math.ceil(0.008 * n)) } = options;
  if (!(stdThreshold > 0)) {
    throw new Error(
      `Cannot measure mode coverage: stdThreshold must be positive, got ${stdThreshold}`,
    );
  }
  if (!(Number.isInteger(minCount) && minCount >= 1)) {
    throw new Error(
      `Cannot measure mode coverage: minCount must be a positive integer, got ${minCount}`,
    );
  }
  const radius2 = (stdThreshold * std) ** 2;
  const perMode = new Array<number>(centres.length).fill(0);
  let highQuality = 0;
  for (let i = 0; i < n; i++) {
    let best = -1;
    let bestDistance2 = Infinity;
    for (let m = 0; m < centres.length; m++) {
      let d2 = 0;
      for (let d = 0; d < dim; d++) d2 += (values[i * dim + d] - centres[m][d]) ** 2;
      if (d2 < bestDistance2) [best, bestDistance2] = [m, d2];
    }
    // NaN samples (a diverged generator) are never close to a mode.
    if (bestDistance2 <= radius2) {
      perMode[best]++;
      highQuality++;
    }
  }
  const covered = perMode.map((count) => count >= minCount);
  const modesCovered = covered.filter(Boolean).length;
  return {
    modesCovered,
    totalModes: centres.length,
    fractionModes: modesCovered / centres.length,
    highQualityFraction: n === 0 ? 0 : highQuality / n,
    perMode,
    covered,
    sampleCount: n,
    minCount,
  };
}
