/**
 * Float64 linear algebra for the metrics: feature matrices, means, covariances, a Jacobi eigenvalue
 * solver for symmetric matrices, and the symmetric matrix square root FID needs.
 *
 * Everything here runs in plain JavaScript on `Float64Array`s (row-major), so the numbers do not
 * depend on the tfjs backend and agree with NumPy's float64 results.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** A dense row-major float64 matrix: `data[r * cols + c]`. */
export interface Matrix {
  /** Number of rows (samples for a feature matrix). */
  rows: number;
  /** Number of columns (feature dimensions). */
  cols: number;
  /** The `rows * cols` values, row by row. */
  data: Float64Array;
}

/** Features as the metrics accept them: a `[n, d]` tensor, nested arrays, or a {@linkcode Matrix}. */
export type FeatureInput = tf.Tensor2D | number[][] | Matrix;

/**
 * Copy features into a float64 {@linkcode Matrix}.
 *
 * @example Convert nested arrays
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { toMatrix } from "./linalg.ts";
 * const m = toMatrix([[1, 2], [3, 4], [5, 6]]);
 * assertEquals([m.rows, m.cols, m.data[3]], [3, 2, 4]);
 * ```
 */
export function toMatrix(features: FeatureInput): Matrix {
  if (features instanceof tf.Tensor) {
    if (features.rank !== 2) {
      throw new Error(
        `Cannot read features: expected a [n, d] tensor, got shape [${features.shape.join(", ")}]`,
      );
    }
    const [rows, cols] = features.shape;
    return { rows, cols, data: Float64Array.from(features.dataSync()) };
  }
  if (Array.isArray(features)) {
    const rows = features.length;
    const cols = rows > 0 ? features[0].length : 0;
    const data = new Float64Array(rows * cols);
    features.forEach((row, r) => {
      if (row.length !== cols) {
        throw new Error(
          `Cannot read features: row ${r} has ${row.length} values, row 0 has ${cols}; ` +
            `every row must have the same length`,
        );
      }
      data.set(row, r * cols);
    });
    return { rows, cols, data };
  }
  if (features.data.length !== features.rows * features.cols) {
    throw new Error(
      `Cannot read features: a ${features.rows}x${features.cols} matrix needs ` +
        `${features.rows * features.cols} values, got ${features.data.length}`,
    );
  }
  return features;
}

/**
 * The column means of a matrix (the mean feature vector), length `cols`.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { columnMeans, toMatrix } from "./linalg.ts";
 * assertEquals(Array.from(columnMeans(toMatrix([[1, 2], [3, 6]]))), [2, 4]);
 * ```
 */
export function columnMeans(x: Matrix): Float64Array {
  const mean = new Float64Array(x.cols);
  for (let r = 0; r < x.rows; r++) {
    const offset = r * x.cols;
    for (let c = 0; c < x.cols; c++) mean[c] += x.data[offset + c];
  }
  for (let c = 0; c < x.cols; c++) mean[c] /= x.rows;
  return mean;
}

/**
 * The sample covariance of the columns (divides by `rows - 1`, like `numpy.cov(x, rowvar=False)`),
 * a `cols x cols` matrix.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { covariance, toMatrix } from "./linalg.ts";
 * const cov = covariance(toMatrix([[0, 0], [2, 2]]));
 * assertEquals(Array.from(cov.data), [2, 2, 2, 2]);
 * ```
 */
export function covariance(x: Matrix, mean: Float64Array = columnMeans(x)): Matrix {
  if (x.rows < 2) {
    throw new Error(`Cannot compute a covariance: need at least 2 samples, got ${x.rows}`);
  }
  const d = x.cols;
  const cov = new Float64Array(d * d);
  const centred = new Float64Array(d);
  for (let r = 0; r < x.rows; r++) {
    const offset = r * d;
    for (let c = 0; c < d; c++) centred[c] = x.data[offset + c] - mean[c];
    for (let i = 0; i < d; i++) {
      const ci = centred[i];
      if (ci === 0) continue;
      const row = i * d;
      for (let j = i; j < d; j++) cov[row + j] += ci * centred[j];
    }
  }
  const scale = 1 / (x.rows - 1);
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      const v = cov[i * d + j] * scale;
      cov[i * d + j] = v;
      cov[j * d + i] = v;
    }
  }
  return { rows: d, cols: d, data: cov };
}

/**
 * The product `a b` of two matrices.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { matMul, toMatrix } from "./linalg.ts";
 * const p = matMul(toMatrix([[1, 2]]), toMatrix([[3], [4]]));
 * assertEquals(p.data[0], 11);
 * ```
 */
export function matMul(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.rows) {
    throw new Error(`Cannot multiply a ${a.rows}x${a.cols} by a ${b.rows}x${b.cols} matrix`);
  }
  const out = new Float64Array(a.rows * b.cols);
  for (let i = 0; i < a.rows; i++) {
    for (let k = 0; k < a.cols; k++) {
      const aik = a.data[i * a.cols + k];
      if (aik === 0) continue;
      const bRow = k * b.cols;
      const outRow = i * b.cols;
      for (let j = 0; j < b.cols; j++) out[outRow + j] += aik * b.data[bRow + j];
    }
  }
  return { rows: a.rows, cols: b.cols, data: out };
}

/** Options of {@linkcode symmetricEigen}. */
export interface SymmetricEigenOptions {
  /** Most Jacobi sweeps before giving up. Default 100. */
  maxSweeps?: number;
  /** Stop when the off-diagonal mass is below `tolerance` times the matrix's norm. Default 1e-15. */
  tolerance?: number;
}

const EIGEN_DEFAULTS: Required<SymmetricEigenOptions> = { maxSweeps: 100, tolerance: 1e-15 };

/**
 * Eigenvalues and eigenvectors of a symmetric matrix by the cyclic Jacobi method:
 * `a = V diag(values) V^T`, eigenvector `k` in column `k` of `vectors`. Accurate to rounding for the
 * 10-500 dimensions feature statistics have. The input is not modified.
 *
 * @example Diagonalise a 2x2 matrix
 * ```ts
 * import { symmetricEigen, toMatrix } from "./linalg.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const { values } = symmetricEigen(toMatrix([[2, 1], [1, 2]]));
 * assertEquals(Array.from(values).map((v) => Math.round(v * 1e9) / 1e9).sort(), [1, 3]);
 * ```
 */
export function symmetricEigen(
  a: Matrix,
  options: SymmetricEigenOptions = {},
): { values: Float64Array; vectors: Matrix } {
  const { maxSweeps, tolerance } = { ...EIGEN_DEFAULTS, ...options };
  const n = a.rows;
  if (a.cols !== n) {
    throw new Error(`Cannot diagonalise: matrix is ${a.rows}x${a.cols}, not square`);
  }
  const m = Float64Array.from(a.data);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let norm = 0;
  for (let i = 0; i < n * n; i++) norm += m[i] * m[i];
  const threshold = tolerance * tolerance * norm;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += m[p * n + q] * m[p * n + q];
    if (2 * off <= threshold) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q];
        if (apq === 0) continue;
        // After a few sweeps, drop an element too small to change either diagonal entry.
        const g = 100 * Math.abs(apq);
        if (
          sweep > 3 && Math.abs(m[p * n + p]) + g === Math.abs(m[p * n + p]) &&
          Math.abs(m[q * n + q]) + g === Math.abs(m[q * n + q])
        ) {
          m[p * n + q] = 0;
          m[q * n + p] = 0;
          continue;
        }
        const app = m[p * n + p];
        const aqq = m[q * n + q];
        // Rotation angle that zeroes a[p][q]: t = tan(theta), the smaller root.
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          // Columns p and q of m.
          const mkp = m[k * n + p];
          const mkq = m[k * n + q];
          m[k * n + p] = c * mkp - s * mkq;
          m[k * n + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          // Rows p and q of m.
          const mpk = m[p * n + k];
          const mqk = m[q * n + k];
          m[p * n + k] = c * mpk - s * mqk;
          m[q * n + k] = s * mpk + c * mqk;
        }
        m[p * n + q] = 0;
        m[q * n + p] = 0;
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = m[i * n + i];
  return { values, vectors: { rows: n, cols: n, data: v } };
}

/**
 * The square root of a symmetric positive semi-definite matrix, `V diag(sqrt(values)) V^T`.
 * Eigenvalues below zero (rounding noise of a singular matrix) are clamped to zero, so a singular
 * covariance has a well-defined root.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { symmetricSqrt, toMatrix } from "./linalg.ts";
 * assertEquals(Array.from(symmetricSqrt(toMatrix([[4, 0], [0, 9]])).data), [2, 0, 0, 3]);
 * ```
 */
export function symmetricSqrt(a: Matrix): Matrix {
  const { values, vectors } = symmetricEigen(symmetrize(a));
  const n = a.rows;
  const roots = values.map((x) => Math.sqrt(Math.max(x, 0)));
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let sum = 0;
      for (let k = 0; k < n; k++) {
        sum += vectors.data[i * n + k] * roots[k] * vectors.data[j * n + k];
      }
      out[i * n + j] = sum;
      out[j * n + i] = sum;
    }
  }
  return { rows: n, cols: n, data: out };
}

/**
 * `(a + a^T) / 2`: removes the rounding asymmetry of a product that is symmetric in exact math.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { symmetrize, toMatrix } from "./linalg.ts";
 * assertEquals(Array.from(symmetrize(toMatrix([[1, 2], [4, 1]])).data), [1, 3, 3, 1]);
 * ```
 */
export function symmetrize(a: Matrix): Matrix {
  const n = a.rows;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) out[i * n + j] = 0.5 * (a.data[i * n + j] + a.data[j * n + i]);
  }
  return { rows: n, cols: n, data: out };
}

/**
 * The trace of a square matrix.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { trace, toMatrix } from "./linalg.ts";
 * assertEquals(trace(toMatrix([[1, 2], [3, 4]])), 5);
 * ```
 */
export function trace(a: Matrix): number {
  let sum = 0;
  for (let i = 0; i < Math.min(a.rows, a.cols); i++) sum += a.data[i * a.cols + i];
  return sum;
}
