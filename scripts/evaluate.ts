/**
 * Score generated digits with the metric classifier: Inception Score, FID and KID against the
 * held-out real MNIST digits, and class accuracy when the intended labels are known.
 *
 * ```sh
 * deno task evaluate runs/dcgan/generator        # a generator saved by saveModel (model.json)
 * deno task evaluate samples/                    # a folder of PNG digits ("3_0042.png" or 3/x.png
 *                                                # gives label 3)
 * deno task evaluate --real                      # real training digits: the best a GAN can reach
 * deno task evaluate runs/cgan/generator --n 2000 --json report.json
 * ```
 *
 * A generator with one input gets `n` standard normal latents; one with two inputs (a conditional
 * generator) also gets labels 0..9 in turn, as integers or one-hot to match its second input, and
 * its class accuracy is reported.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { parseArgs } from "node:util";
import { join } from "node:path";
import sharp from "sharp";
import { initBackend } from "@course/backend.ts";
import { tfSeed } from "@course/data/random.ts";
import { loadMnist } from "@course/data/mnist.ts";
import { loadModel } from "@course/io/model_io.ts";
import {
  DEFAULT_CLASSIFIER_DIR,
  evaluateImages,
  FEATURE_LAYER,
  featureExtractor,
  formatReport,
  loadMnistClassifier,
} from "@course/metrics/mod.ts";

const { values: args, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: {
    n: { type: "string", default: "10000" },
    seed: { type: "string", default: "0" },
    json: { type: "string" },
    real: { type: "boolean", default: false },
    classifier: { type: "string", default: DEFAULT_CLASSIFIER_DIR },
    layer: { type: "string", default: FEATURE_LAYER },
    splits: { type: "string", default: "10" },
    subsets: { type: "string", default: "50" },
    "subset-size": { type: "string", default: "1000" },
  },
});
const n = Number(args.n);
const seed = Number(args.seed);
if (!args.real && positionals.length !== 1) {
  console.error(
    "Usage: deno task evaluate <generator dir with model.json | folder of PNGs> [--n 10000] " +
      "[--json out.json]\n       deno task evaluate --real",
  );
  Deno.exit(2);
}

await initBackend({ verbose: true });
const extractor = await featureExtractor(await loadMnistClassifier(args.classifier), args.layer);

/** Images `[n, 28, 28, 1]` in [-1, 1] and, when known, their intended labels. */
async function loadImages(): Promise<{ images: tf.Tensor4D; labels?: number[]; what: string }> {
  if (args.real) {
    const train = await loadMnist({ split: "train", size: n, seed });
    const labels = Array.from(train.labels.dataSync());
    train.labels.dispose();
    train.oneHot.dispose();
    return { images: train.images, labels, what: "real training digits" };
  }
  const path = positionals[0];
  const isModel = await Deno.stat(join(path, "model.json")).then(() => true, () => false);
  return isModel ? await generate(path) : await readPngs(path);
}

async function generate(dir: string) {
  await import("@course/models/mod.ts"); // registers the course's custom layers before loading
  const generator = await loadModel(dir);
  const latentDim = generator.inputs[0].shape[1];
  if (typeof latentDim !== "number") {
    throw new Error(`Cannot sample ${dir}: its first input has no fixed latent size`);
  }
  const conditional = generator.inputs.length === 2;
  const labels = conditional ? Array.from({ length: n }, (_, i) => i % 10) : undefined;
  const batches: tf.Tensor4D[] = [];
  for (let start = 0; start < n; start += 500) {
    const count = Math.min(500, n - start);
    batches.push(tf.tidy(() => {
      const z = tf.randomNormal([count, latentDim], 0, 1, "float32", tfSeed(seed + start));
      if (!conditional) return generator.predict(z) as tf.Tensor4D;
      const ids = tf.tensor1d(labels!.slice(start, start + count), "int32");
      const labelShape = generator.inputs[1].shape;
      const labelInput = labelShape.at(-1) === 10
        ? tf.oneHot(ids, 10).toFloat()
        : ids.reshape([count, 1]).toFloat();
      return generator.predict([z, labelInput]) as tf.Tensor4D;
    }));
  }
  const images = tf.concat(batches) as tf.Tensor4D;
  tf.dispose(batches);
  if (images.shape[1] !== 28 || images.shape[3] !== 1) {
    throw new Error(
      `Cannot score ${dir}: it makes images [${images.shape.slice(1).join(", ")}]; the metric ` +
        `classifier reads MNIST digits [28, 28, 1]`,
    );
  }
  return { images, labels, what: `samples of ${dir}` };
}

async function readPngs(dir: string) {
  const files: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && entry.name.toLowerCase().endsWith(".png")) files.push(entry.name);
    if (entry.isDirectory && /^\d$/.test(entry.name)) {
      for await (const inner of Deno.readDir(join(dir, entry.name))) {
        if (inner.isFile && inner.name.toLowerCase().endsWith(".png")) {
          files.push(join(entry.name, inner.name));
        }
      }
    }
  }
  files.sort();
  if (files.length === 0) throw new Error(`Cannot score ${dir}: it holds no .png files`);
  const chosen = files.slice(0, n);
  const pixels = new Float32Array(chosen.length * 784);
  const labels: number[] = [];
  for (const [i, file] of chosen.entries()) {
    // Grey, 28x28, 8-bit -> [-1, 1].
    const raw = await sharp(join(dir, file)).greyscale().resize(28, 28).raw().toBuffer();
    for (let p = 0; p < 784; p++) pixels[i * 784 + p] = raw[p] / 127.5 - 1;
    const label = file.match(/^(\d)[_/]/)?.[1];
    labels.push(label === undefined ? -1 : Number(label));
  }
  const known = labels.every((l) => l >= 0);
  return {
    images: tf.tensor4d(pixels, [chosen.length, 28, 28, 1]),
    labels: known ? labels : undefined,
    what: `PNGs of ${dir}`,
  };
}

const { images, labels, what } = await loadImages();
const report = await evaluateImages(images, {
  labels,
  extractor,
  splits: Number(args.splits),
  kid: { subsets: Number(args.subsets), subsetSize: Number(args["subset-size"]), seed },
});
images.dispose();
console.log(formatReport(report, what));
if (args.json) {
  await Deno.writeTextFile(args.json, JSON.stringify({ source: what, ...report }, null, 2) + "\n");
  console.log(`wrote ${args.json}`);
}
