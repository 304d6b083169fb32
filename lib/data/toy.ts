/**
 * Toy distributions for the theory and problem demos: where a GAN's mode collapse, vanishing
 * gradients and the Wasserstein distance can be seen in one plot.
 *
 * - {@linkcode sampleRing}: 8 Gaussians on a circle of radius 2, std 0.02 (Unrolled GAN, WGAN-GP).
 * - {@linkcode sampleGrid}: 25 Gaussians on a 5x5 grid at -4, -2, 0, 2, 4, std 0.05 (WGAN-GP,
 *   VEEGAN, PacGAN).
 * - {@linkcode sampleSwissRoll}: the 2-D Swiss roll, scaled to about [-2, 2] (WGAN-GP).
 * - {@linkcode sampleMixture1d}: a 1-D Gaussian mixture, with its density for plots.
 * - {@linkcode sampleParallelLines}: the WGAN lecture's example, points `(theta, z)`, z ~ U[0, 1].
 *
 * (The WGAN-GP code divides the ring by 1.414 and the grid by 2.828 after sampling; the course
 * keeps the unscaled numbers, which the MLP generators handle as well.)
 *
 * Every sampler is `(n, options) => tf.Tensor2D` `[n, 2]` (`[n, 1]` for the 1-D mixture), seeded
 * through `options.seed`, and draws its numbers in JavaScript, so a seed gives the same points on
 * every backend. The mixtures also have their known mode centres (`ringModes`, `gridModes`) for
 * `modeCoverage` (lib/metrics/mode_coverage.ts).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { seededRandom } from "../core/random.ts";

/** The known modes of a Gaussian mixture: centres and the common standard deviation. */
export interface ToyModes {
  /** Mode centres, one `[x, y]` (or `[x]`) each. */
  centres: number[][];
  /** The standard deviation of every mode. */
  std: number;
}

/** Options every sampler takes. */
export interface SampleOptions {
  /** Seed of the sampler. Default `0`. */
  seed?: number;
}

function checkCount(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 0) {
    throw new Error(`Cannot sample ${what}: n must be a non-negative integer, got ${n}`);
  }
}

function checkPositive(value: number, name: string, what: string): void {
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new Error(`Cannot sample ${what}: ${name} must be a positive number, got ${value}`);
  }
}

/** Sample `n` points from equal-weight isotropic Gaussians at `modes.centres`. */
function sampleModes(n: number, modes: ToyModes, seed: number): tf.Tensor2D {
  const random = seededRandom(seed);
  const dim = modes.centres[0].length;
  const values = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const centre = modes.centres[random.int(modes.centres.length)];
    for (let d = 0; d < dim; d++) values[i * dim + d] = centre[d] + modes.std * random.normal();
  }
  return tf.tensor2d(values, [n, dim]);
}

/** Options of {@linkcode sampleRing} and {@linkcode ringModes}. */
export interface RingOptions extends SampleOptions {
  /** Number of Gaussians. Default `8`. */
  modes?: number;
  /** Radius of the circle. Default `2`. */
  radius?: number;
  /** Standard deviation of each Gaussian. Default `0.02`. */
  std?: number;
}

/** The defaults of {@linkcode RingOptions}. */
export const RING_DEFAULTS: Readonly<Required<RingOptions>> = {
  seed: 0,
  modes: 8,
  radius: 2,
  std: 0.02,
};

/**
 * The centres of the ring mixture: `modes` points evenly spaced on a circle, the first at
 * `(radius, 0)`.
 *
 * @example Eight centres on a circle of radius 2
 * ```ts
 * import { ringModes } from "./toy.ts";
 * import { ok as assert } from "node:assert/strict";
 *
 * const { centres, std } = ringModes();
 * assert(centres.length === 8 && std === 0.02);
 * assert(centres.every(([x, y]) => Math.abs(Math.hypot(x, y) - 2) < 1e-12));
 * ```
 */
export function ringModes(options: Omit<RingOptions, "seed"> = {}): ToyModes {
  const o = { ...RING_DEFAULTS, ...options };
  if (!Number.isInteger(o.modes) || o.modes < 1) {
    throw new Error(`Cannot sample the ring: modes must be a positive integer, got ${o.modes}`);
  }
  checkPositive(o.radius, "radius", "the ring");
  checkPositive(o.std, "std", "the ring");
  const centres = Array.from({ length: o.modes }, (_, k) => {
    const angle = (2 * Math.PI * k) / o.modes;
    return [o.radius * Math.cos(angle), o.radius * Math.sin(angle)];
  });
  return { centres, std: o.std };
}

/**
 * Sample the ring of Gaussians (8 on a circle of radius 2, std 0.02 by default): `[n, 2]`.
 *
 * @example 512 points, every one close to the circle
 * ```ts
 * import { sampleRing } from "./toy.ts";
 * import { ok as assert } from "node:assert/strict";
 *
 * const points = sampleRing(512, { seed: 1 });
 * const radii = points.norm("euclidean", 1);
 * assert(points.shape[0] === 512 && Math.abs(radii.mean().dataSync()[0] - 2) < 0.01);
 * ```
 */
export function sampleRing(n: number, options: RingOptions = {}): tf.Tensor2D {
  checkCount(n, "the ring");
  const o = { ...RING_DEFAULTS, ...options };
  return sampleModes(n, ringModes(o), o.seed);
}

/** Options of {@linkcode sampleGrid} and {@linkcode gridModes}. */
export interface GridOptions extends SampleOptions {
  /** Gaussians per side. Default `5` (25 in all). */
  side?: number;
  /** Distance between neighbouring centres. Default `2` (centres at -4, -2, 0, 2, 4). */
  spacing?: number;
  /** Standard deviation of each Gaussian. Default `0.05`. */
  std?: number;
}

/** The defaults of {@linkcode GridOptions}. */
export const GRID_DEFAULTS: Readonly<Required<GridOptions>> = {
  seed: 0,
  side: 5,
  spacing: 2,
  std: 0.05,
};

/**
 * The centres of the grid mixture, centred on the origin, row by row.
 *
 * @example 25 centres from (-4, -4) to (4, 4)
 * ```ts
 * import { gridModes } from "./toy.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const { centres } = gridModes();
 * assertEquals(centres.length, 25);
 * assertEquals(centres[0], [-4, -4]);
 * assertEquals(centres[24], [4, 4]);
 * ```
 */
export function gridModes(options: Omit<GridOptions, "seed"> = {}): ToyModes {
  const o = { ...GRID_DEFAULTS, ...options };
  if (!Number.isInteger(o.side) || o.side < 1) {
    throw new Error(`Cannot sample the grid: side must be a positive integer, got ${o.side}`);
  }
  checkPositive(o.spacing, "spacing", "the grid");
  checkPositive(o.std, "std", "the grid");
  const offset = ((o.side - 1) * o.spacing) / 2;
  const centres: number[][] = [];
  for (let i = 0; i < o.side; i++) {
    for (let j = 0; j < o.side; j++) centres.push([i * o.spacing - offset, j * o.spacing - offset]);
  }
  return { centres, std: o.std };
}

/**
 * Sample the grid of Gaussians (5x5 at -4..4, std 0.05 by default): `[n, 2]`.
 *
 * @example Points stay inside the grid
 * ```ts
 * import { sampleGrid } from "./toy.ts";
 * import { ok as assert } from "node:assert/strict";
 *
 * const points = sampleGrid(256, { seed: 2 });
 * assert(points.abs().max().dataSync()[0] < 4.5);
 * ```
 */
export function sampleGrid(n: number, options: GridOptions = {}): tf.Tensor2D {
  checkCount(n, "the grid");
  const o = { ...GRID_DEFAULTS, ...options };
  return sampleModes(n, gridModes(o), o.seed);
}

/** Options of {@linkcode sampleSwissRoll}. */
export interface SwissRollOptions extends SampleOptions {
  /** Standard deviation of the noise added before scaling. Default `0.25`. */
  noise?: number;
  /** Factor the roll is multiplied by. Default `1 / 7.5` (radius up to about 1.9). */
  scale?: number;
}

/** The defaults of {@linkcode SwissRollOptions}. */
export const SWISS_ROLL_DEFAULTS: Readonly<Required<SwissRollOptions>> = {
  seed: 0,
  noise: 0.25,
  scale: 1 / 7.5,
};

/**
 * Sample the 2-D Swiss roll: `t ~ U[1.5 pi, 4.5 pi]`, point `(t cos t, t sin t) + noise`, times
 * `scale`: `[n, 2]`. It has no discrete modes: a GAN must spread along the whole spiral.
 *
 * @example The spiral reaches out to about radius 1.9
 * ```ts
 * import { sampleSwissRoll } from "./toy.ts";
 * import { ok as assert } from "node:assert/strict";
 *
 * const radii = sampleSwissRoll(1000).norm("euclidean", 1).dataSync();
 * assert(Math.max(...radii) > 1.7 && Math.min(...radii) > 0.4);
 * ```
 */
export function sampleSwissRoll(n: number, options: SwissRollOptions = {}): tf.Tensor2D {
  checkCount(n, "the Swiss roll");
  const o = { ...SWISS_ROLL_DEFAULTS, ...options };
  if (!(o.noise >= 0)) {
    throw new Error(`Cannot sample the Swiss roll: noise must be >= 0, got ${o.noise}`);
  }
  checkPositive(o.scale, "scale", "the Swiss roll");
  const random = seededRandom(o.seed);
  const values = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const t = 1.5 * Math.PI * (1 + 2 * random.uniform());
    values[2 * i] = (t * Math.cos(t) + o.noise * random.normal()) * o.scale;
    values[2 * i + 1] = (t * Math.sin(t) + o.noise * random.normal()) * o.scale;
  }
  return tf.tensor2d(values, [n, 2]);
}

/** Options of {@linkcode sampleMixture1d} and {@linkcode mixture1dDensity}. */
export interface Mixture1dOptions extends SampleOptions {
  /** Component means. Default `[-2, 2]`. */
  means?: number[];
  /** Component standard deviations (one per mean). Default `[0.5, 0.5]`. */
  stds?: number[];
  /** Component weights (normalised to sum to 1). Default: equal. */
  weights?: number[];
}

/** The defaults of {@linkcode Mixture1dOptions} (`weights` empty means equal). */
export const MIXTURE_1D_DEFAULTS: Readonly<Required<Mixture1dOptions>> = {
  seed: 0,
  means: [-2, 2],
  stds: [0.5, 0.5],
  weights: [],
};

function mixtureParts(options: Mixture1dOptions): { means: number[]; stds: number[]; w: number[] } {
  const o = { ...MIXTURE_1D_DEFAULTS, ...options };
  const k = o.means.length;
  if (k === 0 || o.stds.length !== k || (o.weights.length !== 0 && o.weights.length !== k)) {
    throw new Error(
      `Cannot sample the 1-D mixture: means (${k}), stds (${o.stds.length}) and weights ` +
        `(${o.weights.length}) must have the same non-zero length (weights may be left out)`,
    );
  }
  o.stds.forEach((s) => checkPositive(s, "every std", "the 1-D mixture"));
  const raw = o.weights.length ? o.weights : o.means.map(() => 1);
  if (raw.some((w) => !(w >= 0)) || raw.every((w) => w === 0)) {
    throw new Error(
      `Cannot sample the 1-D mixture: weights must be >= 0 and not all 0, got [${raw.join(", ")}]`,
    );
  }
  const total = raw.reduce((a, b) => a + b, 0);
  return { means: o.means, stds: o.stds, w: raw.map((x) => x / total) };
}

/**
 * Sample a 1-D Gaussian mixture (two modes at -2 and 2, std 0.5, by default): `[n, 1]`. The data
 * of the GAN-review notebook, where D(x) and the generator's density fit in one plot.
 *
 * @example Half the points on each side
 * ```ts
 * import { sampleMixture1d } from "./toy.ts";
 * import { ok as assert } from "node:assert/strict";
 *
 * const x = sampleMixture1d(1000, { seed: 3 });
 * const positive = x.greater(0).sum().dataSync()[0];
 * assert(x.shape[1] === 1 && positive > 450 && positive < 550);
 * ```
 */
export function sampleMixture1d(n: number, options: Mixture1dOptions = {}): tf.Tensor2D {
  checkCount(n, "the 1-D mixture");
  const { means, stds, w } = mixtureParts(options);
  const random = seededRandom(options.seed ?? MIXTURE_1D_DEFAULTS.seed);
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let u = random.uniform();
    let k = 0;
    while (k < w.length - 1 && u >= w[k]) u -= w[k++];
    values[i] = means[k] + stds[k] * random.normal();
  }
  return tf.tensor2d(values, [n, 1]);
}

/**
 * The density of the 1-D mixture at each x, for plotting p_data next to D(x) and p_g.
 *
 * @example The density integrates to 1
 * ```ts
 * import { mixture1dDensity } from "./toy.ts";
 * import { ok as assert } from "node:assert/strict";
 *
 * const xs = Array.from({ length: 2001 }, (_, i) => -10 + i * 0.01);
 * const area = mixture1dDensity(xs).reduce((sum, p) => sum + p * 0.01, 0);
 * assert(Math.abs(area - 1) < 1e-6);
 * ```
 */
export function mixture1dDensity(xs: ArrayLike<number>, options: Mixture1dOptions = {}): number[] {
  const { means, stds, w } = mixtureParts(options);
  return Array.from(xs, (x) =>
    means.reduce((p, m, k) => {
      const z = (x - m) / stds[k];
      return p + (w[k] * Math.exp(-0.5 * z * z)) / (stds[k] * Math.sqrt(2 * Math.PI));
    }, 0));
}

/**
 * The 1-D mixture's modes, for `modeCoverage` (lib/metrics/mode_coverage.ts) (the common std is the largest one).
 *
 * @example Two modes
 * ```ts
 * import { mixture1dModes } from "./toy.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * assertEquals(mixture1dModes(), { centres: [[-2], [2]], std: 0.5 });
 * ```
 */
export function mixture1dModes(options: Omit<Mixture1dOptions, "seed"> = {}): ToyModes {
  const { means, stds } = mixtureParts(options);
  return { centres: means.map((m) => [m]), std: Math.max(...stds) };
}

/** Options of {@linkcode sampleParallelLines}. */
export interface ParallelLinesOptions extends SampleOptions {
  /** The x position of the line. Default `0` (the data P; any other value is a Q_theta). */
  theta?: number;
}

/**
 * Sample the WGAN lecture's parallel lines: points `(theta, z)` with `z ~ U[0, 1]`: `[n, 2]`.
 * P is the line at `theta = 0`; for Q at `theta != 0` the KL divergences are infinite and the JS
 * divergence is log 2 whatever theta is, while the Wasserstein distance is `|theta|`.
 *
 * @example P and Q at theta = 0.5
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { sampleParallelLines } from "./toy.ts";
 * import { ok as assert } from "node:assert/strict";
 *
 * const q = sampleParallelLines(100, { theta: 0.5, seed: 1 });
 * const [xs, zs] = tf.unstack(q, 1).map((t) => t.dataSync());
 * assert(xs.every((x) => x === 0.5) && zs.every((z) => z >= 0 && z < 1));
 * ```
 */
export function sampleParallelLines(n: number, options: ParallelLinesOptions = {}): tf.Tensor2D {
  checkCount(n, "the parallel lines");
  const { seed = 0, theta = 0 } = options;
  if (!Number.isFinite(theta)) {
    throw new Error(
      `Cannot sample the parallel lines: theta must be a finite number, got ${theta}`,
    );
  }
  const random = seededRandom(seed);
  const values = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    values[2 * i] = theta;
    values[2 * i + 1] = random.uniform();
  }
  return tf.tensor2d(values, [n, 2]);
}
