/**
 * Read the IDX files of the full MNIST set (60,000 training and 10,000 test digits) that a user
 * drops in `data/`: raw or gzip-compressed, with errors that say what is wrong and what to do.
 *
 * The IDX format is a 4-byte magic number (0, 0, type 0x08 = unsigned byte, number of dimensions),
 * one big-endian 32-bit size per dimension, then the values: images are `0x00000803`
 * `[n, 28, 28]`, labels are `0x00000801` `[n]`. Fashion-MNIST ships in the same format and loads too.
 *
 * @module
 */
import { join, resolve } from "node:path";

/** Which half of MNIST: the 60,000 training digits or the 10,000 test digits. */
export type MnistSplit = "train" | "test";

/** The magic number of an IDX file of unsigned bytes with 3 dimensions (images). */
const IDX_IMAGES_MAGIC = 0x00000803;
/** The magic number of an IDX file of unsigned bytes with 1 dimension (labels). */
const IDX_LABELS_MAGIC = 0x00000801;

/** Where a user can download the four files by hand (the usual address often refuses scripts). */
const MNIST_DOWNLOAD_HINT =
  "Download them by hand from https://ossci-datasets.s3.amazonaws.com/mnist/ (the mirror " +
  "torchvision uses) or http://yann.lecun.com/exdb/mnist/, and put them, .gz or unpacked, in";

/** The file names looked for, per split and kind, in order (each also with `.gz`). */
export const MNIST_FILE_NAMES: Readonly<
  Record<MnistSplit, { images: readonly string[]; labels: readonly string[] }>
> = {
  train: {
    images: ["train-images-idx3-ubyte", "train-images.idx3-ubyte"],
    labels: ["train-labels-idx1-ubyte", "train-labels.idx1-ubyte"],
  },
  test: {
    images: ["t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte"],
    labels: ["t10k-labels-idx1-ubyte", "t10k-labels.idx1-ubyte"],
  },
};

/** A decoded IDX array of unsigned bytes. */
export interface IdxArray {
  /** The magic number read from the file. */
  magic: number;
  /** The sizes of the dimensions, e.g. `[60000, 28, 28]`. */
  shape: number[];
  /** The values, row-major. */
  data: Uint8Array;
}

/** What an IDX file should hold. */
export type IdxKind = "images" | "labels";

/** Options of {@linkcode parseIdx}. */
export interface ParseIdxOptions {
  /** What the file should hold; a different magic number is an error. Default: accept either. */
  expect?: IdxKind;
  /** The name used in error messages. Default `"IDX data"`. */
  name?: string;
}

function hex(value: number): string {
  return "0x" + value.toString(16).padStart(8, "0");
}

/**
 * Decode the bytes of an (uncompressed) IDX file of unsigned bytes.
 *
 * @example A tiny label file
 * ```ts
 * import { parseIdx } from "./idx.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const bytes = new Uint8Array([0, 0, 8, 1, 0, 0, 0, 3, 7, 2, 1]);
 * const labels = parseIdx(bytes, { expect: "labels" });
 * assertEquals(labels.shape, [3]);
 * assertEquals([...labels.data], [7, 2, 1]);
 * ```
 */
export function parseIdx(bytes: Uint8Array, options: ParseIdxOptions = {}): IdxArray {
  const { expect, name = "IDX data" } = options;
  const what = `Cannot read ${name}`;
  if (bytes.length < 4) {
    throw new Error(
      `${what}: the file is truncated, ${bytes.length} bytes found, at least 4 expected for the ` +
        "IDX header. Download it again.",
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const looksHtml = bytes[0] === 0x3c; // "<"
    throw new Error(
      `${what}: not an IDX file (magic number ${hex(magic)} found, expected ` +
        `${hex(expect === "labels" ? IDX_LABELS_MAGIC : IDX_IMAGES_MAGIC)}). ` +
        (looksHtml
          ? "It starts with '<', so it is probably an HTML error page saved by a failed download. "
          : "") +
        "Download the file again.",
    );
  }
  if (bytes[2] !== 0x08) {
    throw new Error(
      `${what}: IDX value type 0x${bytes[2].toString(16)} found, only 0x08 (unsigned bytes, ` +
        "as in MNIST) is supported.",
    );
  }
  const expectedMagic = expect === "images"
    ? IDX_IMAGES_MAGIC
    : expect === "labels"
    ? IDX_LABELS_MAGIC
    : undefined;
  if (expectedMagic !== undefined && magic !== expectedMagic) {
    const other = magic === IDX_LABELS_MAGIC
      ? " Is this a label file?"
      : magic === IDX_IMAGES_MAGIC
      ? " Is this an image file?"
      : "";
    throw new Error(
      `${what}: wrong magic number ${hex(magic)} (${magic}) found, expected ${
        hex(expectedMagic)
      } ` +
        `(${expectedMagic}) for an ${expect} file.${other}`,
    );
  }
  const dims = bytes[3];
  const headerBytes = 4 + 4 * dims;
  if (bytes.length < headerBytes) {
    throw new Error(
      `${what}: the file is truncated, ${bytes.length} bytes found, ${headerBytes} expected for ` +
        `the header of ${dims} dimensions. Download it again.`,
    );
  }
  const shape = Array.from({ length: dims }, (_, d) => view.getUint32(4 + 4 * d));
  const count = shape.reduce((a, b) => a * b, 1);
  const expectedBytes = headerBytes + count;
  if (bytes.length < expectedBytes) {
    throw new Error(
      `${what}: the file is truncated, the header says shape [${shape.join(", ")}] so ` +
        `${expectedBytes} bytes are expected, ${bytes.length} found. Download it again.`,
    );
  }
  if (bytes.length > expectedBytes) {
    throw new Error(
      `${what}: the header says shape [${shape.join(", ")}] so ${expectedBytes} bytes are ` +
        `expected, ${bytes.length} found (extra data at the end). Download it again.`,
    );
  }
  return { magic, shape, data: bytes.subarray(headerBytes, expectedBytes) };
}

/**
 * Decompress gzip bytes with the web-standard `DecompressionStream`; truncated or corrupt data is
 * an error that names `name`.
 *
 * @example Round trip
 * ```ts
 * import { gunzip } from "./idx.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const gz = new Blob([new Uint8Array([1, 2, 3])]).stream()
 *   .pipeThrough(new CompressionStream("gzip"));
 * const bytes = await gunzip(new Uint8Array(await new Response(gz).arrayBuffer()));
 * assertEquals([...bytes], [1, 2, 3]);
 * ```
 */
export async function gunzip(
  bytes: Uint8Array,
  name = "gzip data",
): Promise<Uint8Array<ArrayBuffer>> {
  try {
    const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
      new DecompressionStream("gzip"),
    );
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (error) {
    throw new Error(
      `Cannot read ${name}: the gzip data is truncated or corrupt (${
        (error as Error).message
      }). Download it again, or unpack it with gunzip to see what is wrong.`,
    );
  }
}

/**
 * Read one IDX file, raw or gzip-compressed (recognised by its first two bytes, not its name).
 *
 * @example Write a tiny gzip label file and read it back
 * ```ts
 * import { readIdxFile } from "./idx.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const raw = new Uint8Array([0, 0, 8, 1, 0, 0, 0, 2, 4, 5]);
 * const gz = new Blob([raw]).stream().pipeThrough(new CompressionStream("gzip"));
 * const path = await Deno.makeTempFile({ suffix: ".gz" });
 * await Deno.writeFile(path, new Uint8Array(await new Response(gz).arrayBuffer()));
 * const labels = await readIdxFile(path, { expect: "labels" });
 * assertEquals([...labels.data], [4, 5]);
 * await Deno.remove(path);
 * ```
 */
export async function readIdxFile(
  path: string,
  options: Omit<ParseIdxOptions, "name"> = {},
): Promise<IdxArray> {
  let bytes: Uint8Array = await Deno.readFile(path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = await gunzip(bytes, path);
  return parseIdx(bytes, { ...options, name: path });
}

/** The two files of one split. */
export interface MnistFiles {
  /** Path of the images file. */
  images: string;
  /** Path of the labels file. */
  labels: string;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

/**
 * Find the image and label files of one split in a folder; `undefined` when either is missing.
 *
 * @example Nothing to find in an empty folder
 * ```ts
 * import { findMnistFiles } from "./idx.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * assertEquals(await findMnistFiles(dir, "train"), undefined);
 * await Deno.remove(dir);
 * ```
 */
export async function findMnistFiles(
  dir: string,
  split: MnistSplit,
): Promise<MnistFiles | undefined> {
  const found: Partial<MnistFiles> = {};
  for (const kind of ["images", "labels"] as const) {
    for (const base of MNIST_FILE_NAMES[split][kind]) {
      for (const name of [base, base + ".gz"]) {
        if (!found[kind] && await isFile(join(dir, name))) found[kind] = join(dir, name);
      }
    }
  }
  return found.images && found.labels ? found as MnistFiles : undefined;
}

/** Raw pixels and labels of one MNIST split read from IDX files. */
export interface IdxMnist {
  /** Pixels in 0..255, `[count * rows * cols]` row-major. */
  pixels: Uint8Array;
  /** Labels 0..9, `[count]`. */
  labels: Uint8Array;
  /** Number of digits. */
  count: number;
  /** Image height. */
  rows: number;
  /** Image width. */
  cols: number;
  /** The files read. */
  files: MnistFiles;
}

/**
 * Read the images and labels of one MNIST split from a folder of IDX files, checking that they fit
 * together. Throws, naming every file name looked for and where to download them, when one is
 * missing.
 *
 * @example A missing file is a clear error
 * ```ts
 * import { readMnistIdx } from "./idx.ts";
 * import { rejects } from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * await rejects(() => readMnistIdx(dir, "test"), /t10k-images-idx3-ubyte/);
 * await Deno.remove(dir);
 * ```
 */
export async function readMnistIdx(dir: string, split: MnistSplit): Promise<IdxMnist> {
  const files = await findMnistFiles(dir, split);
  if (!files) {
    const names = [...MNIST_FILE_NAMES[split].images, ...MNIST_FILE_NAMES[split].labels];
    const looked = names.map((n) => `${n}[.gz]`).join(", ");
    throw new Error(
      `Cannot load MNIST ${split} split from IDX files: the images or labels file is missing in ` +
        `${resolve(dir)}. Looked for ${looked}. ${MNIST_DOWNLOAD_HINT} ${resolve(dir)}.`,
    );
  }
  const images = await readIdxFile(files.images, { expect: "images" });
  const labels = await readIdxFile(files.labels, { expect: "labels" });
  const [count, rows, cols] = images.shape;
  if (images.shape.length !== 3) {
    throw new Error(
      `Cannot read ${files.images}: an images file has 3 dimensions, found ` +
        `[${images.shape.join(", ")}].`,
    );
  }
  if (labels.shape[0] !== count) {
    throw new Error(
      `Cannot load MNIST ${split} split: ${files.images} holds ${count} images but ` +
        `${files.labels} holds ${labels.shape[0]} labels. The two files must come from the same ` +
        "set (train-* with train-*, t10k-* with t10k-*); download the mismatched one again.",
    );
  }
  const badLabel = labels.data.findIndex((label) => label > 9);
  if (badLabel >= 0) {
    throw new Error(
      `Cannot read ${files.labels}: label ${labels.data[badLabel]} at index ${badLabel} is not a ` +
        "digit 0..9.",
    );
  }
  return { pixels: images.data, labels: labels.data, count, rows, cols, files };
}
