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
 * Every argument is checked before anything is loaded (a missing path, `--n abc`, a `--json` file
 * whose folder cannot be written); a PNG that cannot be decoded is named. Errors are one line on
 * stderr and exit with 2 (bad arguments) or 1 (bad input), never a stack trace.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { parseArgs } from "node:util";
import { dirname, join } from "node:path";
import sharp from "sharp";
import { initCourseBackend } from "../lib/notebook/setup.ts";
import { tfSeed } from "../lib/core/random.ts";
import { loadMnist } from "../lib/data/mnist.ts";
import { firstLine } from "../lib/core/errors.ts";
import { loadModel } from "../lib/io/model_io.ts";
import {
  DEFAULT_CLASSIFIER_DIR,
  evaluateImages,
  FEATURE_LAYER,
  featureExtractor,
  formatReport,
  loadMnistClassifier,
} from "@course/lib/metrics";

const USAGE = "Usage: deno task evaluate <generator dir with model.json | folder of PNGs> " +
  "[--n 10000] [--seed 0] [--json out.json] [--splits 10] [--subsets 50] [--subset-size 1000]\n" +
  "       deno task evaluate --real [--n 10000]";

/** A bad command line: one line, the usage, exit status 2. */
class UsageError extends Error {}

interface Args {
  path?: string;
  real: boolean;
  n: number;
  seed: number;
  json?: string;
  classifier: string;
  layer: string;
  splits: number;
  subsets: number;
  subsetSize: number;
}

function integer(flag: string, raw: string, min: number): number {
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isInteger(value) || value < min) {
    throw new UsageError(
      `Cannot evaluate: --${flag} must be ${
        min === 1 ? "a positive integer" : min === 0 ? "an integer >= 0" : "an integer"
      }, got "${raw}"`,
    );
  }
  return value;
}

async function parse(argv: string[]): Promise<Args> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
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
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    throw new UsageError(`Cannot evaluate: ${firstLine(error)}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    Deno.exit(0);
  }
  if (values.real && positionals.length > 0) {
    throw new UsageError("Cannot evaluate: give a path or --real, not both");
  }
  if (!values.real && positionals.length !== 1) {
    throw new UsageError(
      `Cannot evaluate: give one generator folder or PNG folder, got ${positionals.length} paths`,
    );
  }
  const args: Args = {
    path: positionals[0],
    real: values.real,
    n: integer("n", values.n, 1),
    seed: integer("seed", values.seed, -Infinity),
    json: values.json,
    classifier: values.classifier,
    layer: values.layer,
    splits: integer("splits", values.splits, 1),
    subsets: integer("subsets", values.subsets, 1),
    subsetSize: integer("subset-size", values["subset-size"], 2),
  };
  if (args.splits > args.n) {
    throw new UsageError(`Cannot evaluate: --splits ${args.splits} is more than --n ${args.n}`);
  }
  if (args.path !== undefined) {
    const info = await Deno.stat(args.path).catch(() => undefined);
    if (!info) throw new UsageError(`Cannot evaluate ${args.path}: it does not exist`);
    if (!info.isDirectory) {
      throw new UsageError(
        `Cannot evaluate ${args.path}: it is a file; give the folder that holds model.json, or a ` +
          "folder of PNG images",
      );
    }
  }
  if (args.json !== undefined) await checkJsonTarget(args.json);
  return args;
}

/** Fail now, not after minutes of scoring, when the report cannot be written. */
async function checkJsonTarget(path: string): Promise<void> {
  const info = await Deno.stat(path).catch(() => undefined);
  if (info?.isDirectory) {
    throw new UsageError(`Cannot write --json ${path}: it is a folder; give a file name`);
  }
  const folder = dirname(path);
  const probe = join(folder, `.evaluate-probe-${crypto.randomUUID().slice(0, 8)}`);
  try {
    await Deno.writeTextFile(probe, "");
  } catch (error) {
    throw new UsageError(`Cannot write --json ${path}: ${firstLine(error)}`);
  } finally {
    await Deno.remove(probe).catch(() => {});
  }
}

/** Images `[n, 28, 28, 1]` in [-1, 1] and, when known, their intended labels. */
async function loadImages(
  args: Args,
): Promise<{ images: tf.Tensor4D; labels?: number[]; what: string }> {
  if (args.real) {
    const train = await loadMnist({ split: "train", size: args.n, seed: args.seed, verbose: true });
    const labels = Array.from(await train.labels.data());
    train.labels.dispose();
    train.oneHot.dispose();
    return { images: train.images, labels, what: "real training digits" };
  }
  const path = args.path!;
  const isModel = await Deno.stat(join(path, "model.json")).then(() => true, () => false);
  return isModel ? await generate(path, args) : await readPngs(path, args.n);
}

async function generate(dir: string, args: Args) {
  await import("@course/lib/models"); // registers the course's custom layers before loading
  const generator = await loadModel(dir);
  const latentDim = generator.inputs[0].shape[1];
  if (typeof latentDim !== "number") {
    throw new Error(`Cannot sample ${dir}: its first input has no fixed latent size`);
  }
  const { n, seed } = args;
  const conditional = generator.inputs.length === 2;
  const labels = conditional ? Array.from({ length: n }, (_, i) => i % 10) : undefined;
  const batches: tf.Tensor4D[] = [];
  try {
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
  } catch (error) {
    tf.dispose(batches);
    throw new Error(`Cannot sample ${dir}: ${firstLine(error)}`);
  } finally {
    generator.dispose();
  }
  const images = tf.concat(batches) as tf.Tensor4D;
  tf.dispose(batches);
  if (images.rank !== 4 || images.shape[1] !== 28 || images.shape[3] !== 1) {
    images.dispose();
    throw new Error(
      `Cannot score ${dir}: it makes images [${images.shape.slice(1).join(", ")}]; the metric ` +
        `classifier reads MNIST digits [28, 28, 1]`,
    );
  }
  return { images, labels, what: `samples of ${dir}` };
}

async function readPngs(dir: string, n: number) {
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
  if (files.length === 0) {
    throw new Error(
      `Cannot score ${dir}: it holds no model.json and no .png files; give a generator folder ` +
        "saved by saveModel() or a folder of PNG digits",
    );
  }
  const chosen = files.slice(0, n);
  const pixels = new Float32Array(chosen.length * 784);
  const labels: number[] = [];
  for (const [i, file] of chosen.entries()) {
    let raw: Uint8Array;
    try {
      // Grey, 28x28, 8-bit -> [-1, 1].
      raw = await sharp(join(dir, file)).greyscale().resize(28, 28).raw().toBuffer();
    } catch (error) {
      throw new Error(
        `Cannot read ${join(dir, file)}: it is not an image sharp can decode ` +
          `(${firstLine(error)}); remove or replace it`,
      );
    }
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

async function main(): Promise<void> {
  const args = await parse(Deno.args);
  await initCourseBackend({ verbose: true });
  const extractor = await featureExtractor(await loadMnistClassifier(args.classifier), args.layer);
  const { images, labels, what } = await loadImages(args);
  let report;
  try {
    report = await evaluateImages(images, {
      labels,
      extractor,
      splits: args.splits,
      kid: { subsets: args.subsets, subsetSize: args.subsetSize, seed: args.seed },
    });
  } finally {
    images.dispose();
  }
  console.log(formatReport(report, what));
  if (args.json) {
    try {
      await Deno.writeTextFile(
        args.json,
        JSON.stringify({ source: what, ...report }, null, 2) + "\n",
      );
    } catch (error) {
      throw new Error(`Cannot write --json ${args.json}: ${firstLine(error)}`);
    }
    console.log(`wrote ${args.json}`);
  }
}

if (import.meta.main) {
  try {
    await main();
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${USAGE}`);
      Deno.exit(2);
    }
    console.error(firstLine(error));
    Deno.exit(1);
  }
}
