/**
 * Train the face metric classifier (hair and skin colour of the DiceBear faces of
 * `lib/data/faces.ts`) and write it to `data/faces_classifier/` (model.json + weights.bin +
 * metadata.json).
 *
 * ```sh
 * deno task train-face-classifier                            # the shipped settings
 * deno task train-face-classifier --epochs 1 --train-size 800 --out /tmp/faces_clf   # a quick try
 * ```
 *
 * Every training face is read at 32x32 either as rendered at 32 pixels or as rendered at 64 and
 * averaged down (how the extractor reads 64x64 faces), half and half, flipped left-right at random,
 * shifted by up to `--shift` pixels (white fill) and given Gaussian noise of a random standard
 * deviation up to `--noise` (generated faces are noisy). Adam with a cosine learning-rate decay;
 * seeded weights, shuffling and augmentation. Held-out accuracy is measured per tag group on the
 * `test` split of the faces, which training never sees, at 32, 64 and 96 pixels; the real-vs-real
 * FID and KID (training faces against held-out faces, 2,000 each, 64 pixels) are the reference a
 * generator's scores compare with.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { parseArgs } from "node:util";
import { initCourseBackend } from "../lib/notebook/setup.ts";
import { type FaceArrays, loadFacesArrays } from "../lib/data/faces.ts";
import { seededRandom } from "../lib/core/random.ts";
import { saveModel } from "../lib/io/model_io.ts";
import { FEATURE_LAYER } from "../lib/metrics/classifier.ts";
import {
  buildFaceClassifier,
  DEFAULT_FACE_CLASSIFIER_DIR,
  FACE_CLASSIFIER_SIZE,
  FACE_TAG_HEADS,
  faceExtractor,
  toFaceClassifierSize,
} from "../lib/metrics/face_classifier.ts";
import { fid } from "../lib/metrics/fid.ts";
import { kid } from "../lib/metrics/kid.ts";

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    epochs: { type: "string", default: "8" },
    "train-size": { type: "string", default: "8000" },
    "test-size": { type: "string", default: "2000" },
    "batch-size": { type: "string", default: "64" },
    "learning-rate": { type: "string", default: "0.001" },
    shift: { type: "string", default: "2" },
    noise: { type: "string", default: "0.1" },
    seed: { type: "string", default: "0" },
    out: { type: "string", default: DEFAULT_FACE_CLASSIFIER_DIR },
    backend: { type: "string" },
  },
});
const epochs = Number(args.epochs);
const trainSize = Number(args["train-size"]);
const testSize = Number(args["test-size"]);
const batchSize = Number(args["batch-size"]);
const learningRate = Number(args["learning-rate"]);
const shift = Number(args.shift);
const noise = Number(args.noise);
const seed = Number(args.seed);

const backend = await initCourseBackend({
  backend: args.backend as "wasm" | "cpu" | undefined,
  verbose: true,
});
const size = FACE_CLASSIFIER_SIZE;
const perImage = size * size * 3;

/** Faces of a split at `imageSize`, read at 32x32 in [-1, 1] the way the extractor reads them. */
async function facesAt32(split: "train" | "test", count: number, imageSize: number) {
  const faces = await loadFacesArrays({ split, size: count, imageSize, seed });
  console.log(faces.description);
  const pixels = tf.tidy(() => {
    const x = tf.tensor4d(faces.pixels, [count, imageSize, imageSize, 3], "int32").toFloat()
      .div(127.5).sub(1);
    return toFaceClassifierSize(x).dataSync() as Float32Array;
  });
  return { faces, pixels };
}

const train32 = await facesAt32("train", trainSize, 32);
const train64 = await facesAt32("train", trainSize, 64);
const tests: { imageSize: number; faces: FaceArrays; pixels: Float32Array }[] = [];
for (const imageSize of [32, 64, 96]) {
  tests.push({ imageSize, ...await facesAt32("test", testSize, imageSize) });
}
const labelsOf = (faces: FaceArrays) => [faces.hair, faces.skin];

const model = buildFaceClassifier({ seed });
const optimizer = tf.train.adam(learningRate);
const random = seededRandom(seed);

/** Write training face `index` (one of its two renderings, augmented) into `out` at `offset`. */
function augment(index: number, out: Float32Array, offset: number): void {
  const source = (random.uniform() < 0.5 ? train32 : train64).pixels.subarray(
    index * perImage,
    (index + 1) * perImage,
  );
  const flip = random.uniform() < 0.5;
  const dy = random.int(2 * shift + 1) - shift;
  const dx = random.int(2 * shift + 1) - shift;
  const sigma = random.uniform() * noise;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const sy = y - dy;
      const sx0 = x - dx;
      const sx = flip ? size - 1 - sx0 : sx0;
      const inside = sy >= 0 && sy < size && sx >= 0 && sx < size;
      for (let c = 0; c < 3; c++) {
        const value = inside ? source[(sy * size + sx) * 3 + c] : 1; // white outside
        out[offset + (y * size + x) * 3 + c] = value + sigma * random.normal();
      }
    }
  }
}

/** Held-out accuracy per tag group of the faces in `test`. */
function accuracy(test: (typeof tests)[number]): Record<string, number> {
  const correct = FACE_TAG_HEADS.map(() => 0);
  const labels = labelsOf(test.faces);
  for (let start = 0; start < testSize; start += 500) {
    const count = Math.min(500, testSize - start);
    const predicted = tf.tidy(() => {
      const x = tf.tensor4d(
        test.pixels.subarray(start * perImage, (start + count) * perImage),
        [count, size, size, 3],
      );
      return (model.predict(x) as tf.Tensor2D[]).map((logits) => logits.argMax(-1).dataSync());
    });
    predicted.forEach((p, g) => {
      for (let i = 0; i < count; i++) if (p[i] === labels[g][start + i]) correct[g]++;
    });
  }
  return Object.fromEntries(FACE_TAG_HEADS.map((h, g) => [h.name, correct[g] / testSize]));
}

const started = performance.now();
const history: {
  epoch: number;
  loss: number;
  accuracy: Record<string, Record<string, number>>;
  seconds: number;
}[] = [];
let heldOut: Record<string, Record<string, number>> = {};
for (let epoch = 0; epoch < epochs; epoch++) {
  // Cosine decay from learningRate to 0 over the epochs. Adam keeps the rate in a protected field.
  (optimizer as unknown as { learningRate: number }).learningRate = learningRate * 0.5 *
    (1 + Math.cos((Math.PI * epoch) / epochs));
  const order = random.shuffle(Array.from({ length: trainSize }, (_, i) => i));
  let lossSum = 0;
  let batches = 0;
  for (let start = 0; start + batchSize <= trainSize; start += batchSize) {
    const images = new Float32Array(batchSize * perImage);
    const labels = FACE_TAG_HEADS.map(() => new Int32Array(batchSize));
    for (let b = 0; b < batchSize; b++) {
      const index = order[start + b];
      augment(index, images, b * perImage);
      labelsOf(train32.faces).forEach((group, g) => labels[g][b] = group[index]);
    }
    const loss = tf.tidy(() => {
      const x = tf.tensor4d(images, [batchSize, size, size, 3]);
      const targets = FACE_TAG_HEADS.map((h, g) =>
        tf.oneHot(tf.tensor1d(labels[g], "int32"), h.size)
      );
      return optimizer.minimize(() => {
        const outputs = model.apply(x, { training: true }) as tf.Tensor[];
        return tf.addN(
          outputs.map((o, g) => tf.losses.softmaxCrossEntropy(targets[g], o)),
        ) as tf.Scalar;
      }, true)!;
    });
    lossSum += (await loss.data())[0];
    loss.dispose();
    batches++;
  }
  heldOut = Object.fromEntries(tests.map((t) => [`${t.imageSize}px`, accuracy(t)]));
  const seconds = (performance.now() - started) / 1000;
  history.push({ epoch: epoch + 1, loss: lossSum / batches, accuracy: heldOut, seconds });
  const shown = Object.entries(heldOut).map(([at, acc]) =>
    `${at} ` + Object.entries(acc).map(([g, a]) => `${g} ${(100 * a).toFixed(2)}%`).join(" ")
  ).join(" | ");
  console.log(
    `epoch ${epoch + 1}/${epochs}  loss ${(lossSum / batches).toFixed(4)}  held-out ${shown}  ` +
      `(${seconds.toFixed(0)} s)`,
  );
}
const trainingSeconds = Math.round((performance.now() - started) / 1000);

// Reference scores: real training faces against real held-out faces, at 64 pixels.
const referenceCount = Math.min(2000, trainSize, testSize);
const extractor = await faceExtractor({ model });
async function featuresOf(faces: FaceArrays) {
  const s = faces.imageSize;
  const x = tf.tidy(() =>
    tf.tensor4d(
      faces.pixels.subarray(0, referenceCount * s * s * 3),
      [referenceCount, s, s, 3],
      "int32",
    )
      .toFloat().div(127.5).sub(1)
  );
  const { features } = await extractor.run(x);
  x.dispose();
  return features;
}
const trainFeatures = await featuresOf(train64.faces);
const testFeatures = await featuresOf(tests[1].faces);
const realFid = fid(trainFeatures, testFeatures);
const realKid = kid(trainFeatures, testFeatures, { seed: 0 });
console.log(
  `Real vs real (${referenceCount} training faces vs ${referenceCount} held-out, 64 px): ` +
    `FID ${realFid.toFixed(2)}, KID ${realKid.mean.toFixed(4)} +- ${realKid.std.toFixed(4)}`,
);

const saved = await saveModel(model, args.out);
const metadata = {
  heldOutAccuracy: heldOut,
  heldOutCount: testSize,
  trainCount: trainSize,
  data: "loadFacesArrays({ split: 'train' | 'test', seed }) (DiceBear adventurer, CC BY 4.0), " +
    "read at 32x32 (rendered at 32, or at 64/96 and averaged down), range [-1,1]",
  tagGroups: FACE_TAG_HEADS,
  featureLayer: FEATURE_LAYER,
  featureDim: model.getLayer(FEATURE_LAYER).outputShape.at(-1),
  realVsReal: {
    count: referenceCount,
    imageSize: 64,
    fid: realFid,
    kidMean: realKid.mean,
    kidStd: realKid.std,
  },
  epochsDone: epochs,
  settings: {
    epochs,
    batchSize,
    learningRate,
    schedule: "cosine",
    augmentation: { flip: true, shiftPixels: shift, noiseStdMax: noise, renderedAt: [32, 64] },
    seed,
    optimizer: "adam",
  },
  backend: backend.choice,
  trainingSeconds,
  weightBytes: saved.weightBytes,
  history,
};
await Deno.writeTextFile(`${args.out}/metadata.json`, JSON.stringify(metadata, null, 2) + "\n");
console.log(
  `Wrote ${args.out} (${saved.weightBytes} bytes of weights, ${trainingSeconds} s of training)`,
);
