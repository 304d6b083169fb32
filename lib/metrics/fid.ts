/**
 * Fréchet distance between two feature sets (FID; "Fréchet LeNet distance" when the features come
 * from the course's MNIST classifier).
 *
 * @module
 */
import {
  columnMeans,
  covariance,
  type FeatureInput,
  matMul,
  type Matrix,
  symmetricEigen,
  symmetricSqrt,
  symmetrize,
  toMatrix,
  trace,
} from "./linalg.ts";
import { checkFiniteMatrix } from "./metric_input_checks.ts";

/** The Gaussian a feature set is summarised by: its mean and sample covariance. */
export interface FeatureStatistics {
  /** Mean feature vector, length d. */
  mean: Float64Array;
  /** Sample covariance (divided by n - 1), d x d. */
  covariance: Matrix;
  /** How many samples the statistics came from. */
  count: number;
}

/**
 * Mean and covariance of a feature set, in float64. Compute them once for the real images and reuse
 * them with {@linkcode frechetDistance}.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { featureStatistics } from "./fid.ts";
 * const stats = featureStatistics([[0, 1], [2, 3]]);
 * assertEquals(Array.from(stats.mean), [1, 2]);
 * ```
 */
export function featureStatistics(features: FeatureInput): FeatureStatistics {
  const x = toMatrix(features);
  checkFiniteMatrix(x, "features", "Cannot compute FID");
  if (x.rows < 2) {
    throw new Error(`Cannot summarise features: need at least 2 samples, got ${x.rows}`);
  }
  const mean = columnMeans(x);
  return { mean, covariance: covariance(x, mean), count: x.rows };
}

/**
 * The Fréchet distance between two Gaussians,
 * `|mu1 - mu2|^2 + tr(S1) + tr(S2) - 2 tr((S1^1/2 S2 S1^1/2)^1/2)`.
 *
 * The cross term uses the symmetric matrix `S1^1/2 S2 S1^1/2` (it has the same eigenvalues as
 * `S1 S2`), diagonalised by Jacobi rotations in float64 with rounding-level negative eigenvalues
 * clamped to zero; so singular covariances and fewer samples than dimensions give a finite, exact
 * answer where `scipy.linalg.sqrtm(S1 @ S2)` needs an epsilon fix.
 *
 * @example Two Gaussians that differ only in their means
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { frechetDistance, featureStatistics } from "./fid.ts";
 * const a = featureStatistics([[0, 0], [2, 0], [0, 2], [2, 2]]);
 * const b = featureStatistics([[3, 0], [5, 0], [3, 2], [5, 2]]);
 * assert(Math.abs(frechetDistance(a, b) - 9) < 1e-6);
 * ```
 */
export function frechetDistance(a: FeatureStatistics, b: FeatureStatistics): number {
  const d = a.mean.length;
  if (b.mean.length !== d) {
    throw new Error(
      `Cannot compute FID: feature sets have ${d} and ${b.mean.length} dimensions; ` +
        `extract both with the same feature extractor`,
    );
  }
  let meanTerm = 0;
  for (let i = 0; i < d; i++) meanTerm += (a.mean[i] - b.mean[i]) ** 2;
  const rootA = symmetricSqrt(a.covariance);
  const inner = symmetrize(matMul(matMul(rootA, b.covariance), rootA));
  const { values } = symmetricEigen(inner);
  let crossTerm = 0;
  for (const value of values) crossTerm += Math.sqrt(Math.max(value, 0));
  return meanTerm + trace(a.covariance) + trace(b.covariance) - 2 * crossTerm;
}

/**
 * Fréchet Inception Distance between two feature sets (`[n, d]` each; n may differ and may be
 * smaller than d). Lower is better; 0 for identical statistics.
 *
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { fid } from "./fid.ts";
 * assert(Math.abs(fid([[0, 0], [1, 1], [2, 0]], [[0, 0], [1, 1], [2, 0]]) - 0) < 1e-6);
 * ```
 */
export function fid(featuresA: FeatureInput, featuresB: FeatureInput): number {
  return frechetDistance(featureStatistics(featuresA), featureStatistics(featuresB));
}
