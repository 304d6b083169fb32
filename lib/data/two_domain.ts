/**
 * Two unpaired image domains for CycleGAN, built offline from MNIST:
 *
 * - domain A: plain grey digits (white ink on black), as RGB with three equal channels;
 * - domain B: digits in a bright colour (a random hue per image) on a darker striped background
 *   (random stripe angle, period, phase, and colours of another hue, per image).
 *
 * The two domains come from different source digits (of each class, A takes every other digit of
 * the class-balanced MNIST order, B the ones in between), so no image of A has its partner in B: the
 * pairs a CycleGAN learns from are not there, as with horses and zebras. The digit labels are kept
 * so that a translation can be checked with the MNIST classifier (does A -> B -> A keep the digit?).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { loadMnistArrays, type MnistArrays, type MnistSource, type MnistSplit } from "./mnist.ts";
import { hsvToRgb, paintDigit, type Rgb } from "./colour.ts";
import { seededRandom } from "../core/random.ts";

/** Options of {@linkcode loadTwoDomains}. */
export interface TwoDomainOptions {
  /** Images per domain. Default `1000`; at most half the MNIST split. */
  size?: number;
  /** MNIST split the digits come from. Default `"train"`. */
  split?: MnistSplit;
  /** Seed of the digit order and of the colours and stripes. Default `0`. */
  seed?: number;
  /** MNIST source (see `loadMnist`). Default `"embedded"`. */
  source?: MnistSource;
}

/** The defaults of {@linkcode TwoDomainOptions}. */
export const TWO_DOMAIN_DEFAULTS: Readonly<Required<TwoDomainOptions>> = {
  size: 1000,
  split: "train",
  seed: 0,
  source: "embedded",
};

/** The two domains as tensors. Call `dispose()` when done. */
export interface TwoDomainData {
  /** Domain A, grey digits: `[size, 28, 28, 3]` in [-1, 1]. */
  domainA: tf.Tensor4D;
  /** Domain B, coloured digits on stripes: `[size, 28, 28, 3]` in [-1, 1]. */
  domainB: tf.Tensor4D;
  /** Digit labels of domain A, `[size]` int32. */
  labelsA: tf.Tensor1D;
  /** Digit labels of domain B, `[size]` int32. */
  labelsB: tf.Tensor1D;
  /** Images per domain. */
  count: number;
  /** One line saying what was built. */
  description: string;
  /** Dispose the four tensors. */
  dispose(): void;
}

/** A striped background: two dark colours, away from the ink's hue, alternating along a line. */
function stripes(
  random: ReturnType<typeof seededRandom>,
  side: number,
  inkHue: number,
): (p: number) => Rgb {
  const hue = inkHue + 1 / 3 + random.uniform() / 3;
  const dark = hsvToRgb(hue, 0.6, 0.15 + 0.15 * random.uniform());
  const light = hsvToRgb(hue + 0.08, 0.5, 0.35 + 0.2 * random.uniform());
  const angle = Math.PI * random.uniform();
  const period = 4 + 5 * random.uniform(); // pixels
  const phase = 2 * Math.PI * random.uniform();
  const [dx, dy] = [Math.cos(angle), Math.sin(angle)];
  return (p) => {
    const x = p % side;
    const y = Math.floor(p / side);
    const s = 0.5 + 0.5 * Math.sin((2 * Math.PI * (x * dx + y * dy)) / period + phase);
    return [0, 1, 2].map((c) => dark[c] + s * (light[c] - dark[c])) as Rgb;
  };
}

/**
 * Load MNIST digits and deal them to A and B. The loader's order is class-balanced in rounds (round
 * k holds the k-th digit of every class); even rounds go to A and odd rounds to B, so both domains
 * are balanced by class and share no digit. Loads `want` digits (all when undefined), then the
 * whole split if that was too few.
 */
async function splitDomains(
  o: Required<TwoDomainOptions>,
  want: number | undefined,
): Promise<MnistArrays & { a: number[]; b: number[] }> {
  const mnist = await loadMnistArrays({
    source: o.source,
    split: o.split,
    seed: o.seed,
    range: "[0,1]",
    size: want,
    verbose: false,
  });
  const seen = new Array<number>(10).fill(0);
  const a: number[] = [];
  const b: number[] = [];
  mnist.labels.forEach((label, i) => (seen[label]++ % 2 === 0 ? a : b).push(i));
  if (Math.min(a.length, b.length) >= o.size) {
    return { ...mnist, a: a.slice(0, o.size), b: b.slice(0, o.size) };
  }
  if (want !== undefined && mnist.count >= want) return splitDomains(o, undefined);
  throw new Error(
    `Cannot build the two domains: size ${o.size} needs ${o.size} MNIST digits for A and ` +
      `${o.size} others for B, but the ${o.split} split of ${mnist.count} digits gives only ` +
      `${Math.min(a.length, b.length)} per domain; ask for at most ${
        Math.min(a.length, b.length)
      }.`,
  );
}

/**
 * Build the two unpaired CycleGAN domains from MNIST, deterministically for a seed.
 *
 * @example Eight images per domain
 * ```ts
 * import { loadTwoDomains } from "./two_domain.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const data = await loadTwoDomains({ size: 8 });
 * assertEquals(data.domainA.shape, [8, 28, 28, 3]);
 * assertEquals(data.domainB.shape, [8, 28, 28, 3]);
 * data.dispose();
 * ```
 */
export async function loadTwoDomains(options: TwoDomainOptions = {}): Promise<TwoDomainData> {
  const o = { ...TWO_DOMAIN_DEFAULTS, ...options };
  if (!Number.isInteger(o.size) || o.size < 1) {
    throw new Error(`Cannot build the two domains: size must be a positive integer, got ${o.size}`);
  }
  const mnist = await splitDomains(o, 2 * o.size + 20);
  const { rows, cols } = mnist;
  const pixels = rows * cols;
  const a = new Float32Array(o.size * pixels * 3);
  const b = new Float32Array(o.size * pixels * 3);
  const labelsA = new Int32Array(o.size);
  const labelsB = new Int32Array(o.size);
  const random = seededRandom(o.seed + 0x5eed);
  const black: Rgb = [0, 0, 0];
  for (let i = 0; i < o.size; i++) {
    const [indexA, indexB] = [mnist.a[i], mnist.b[i]];
    const alphaA = mnist.pixels.subarray(indexA * pixels, (indexA + 1) * pixels);
    const alphaB = mnist.pixels.subarray(indexB * pixels, (indexB + 1) * pixels);
    labelsA[i] = mnist.labels[indexA];
    labelsB[i] = mnist.labels[indexB];
    paintDigit(a, i * pixels * 3, alphaA, [1, 1, 1], () => black);
    const inkHue = random.uniform();
    paintDigit(b, i * pixels * 3, alphaB, hsvToRgb(inkHue, 0.85, 1), stripes(random, cols, inkHue));
  }
  const shape: [number, number, number, number] = [o.size, rows, cols, 3];
  const domainA = tf.tensor4d(a, shape);
  const domainB = tf.tensor4d(b, shape);
  const labelTensorA = tf.tensor1d(labelsA, "int32");
  const labelTensorB = tf.tensor1d(labelsB, "int32");
  return {
    domainA,
    domainB,
    labelsA: labelTensorA,
    labelsB: labelTensorB,
    count: o.size,
    description: `Two unpaired domains of ${o.size} images each (${rows}x${cols}x3, [-1, 1]): ` +
      `A grey MNIST digits, B coloured digits on stripes; from ${mnist.description}`,
    dispose: () => tf.dispose([domainA, domainB, labelTensorA, labelTensorB]),
  };
}
