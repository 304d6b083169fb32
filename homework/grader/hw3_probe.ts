/**
 * The sandboxed half of hw3_acgan's tests: run the student's ACGAN losses on fixed outputs and tags
 * (values per weight setting, gradients, leaked tensors) and in a short conditional training run
 * whose generator weights come back. The judging is in `hw3_acgan.ts`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { tfSeed } from "../../lib/core/random.ts";
import {
  type Observations,
  observe,
  type Probe,
  type ProbeContext,
  studentFunction,
} from "./check.ts";
import { leakedTensors, plain, scalarValue, snapshot } from "./fixtures.ts";

type DLoss = (
  realOutputs: tf.Tensor[],
  fakeOutputs: tf.Tensor[],
  realTags: tf.Tensor[],
  weights: number[],
) => tf.Scalar;
type GLoss = (fakeOutputs: tf.Tensor[], fakeTags: tf.Tensor[], weights: number[]) => tf.Scalar;

/**
 * A fixed batch of 3 for the loss probes: real/fake logits and two tag groups of 8 and 6 classes
 * (not the faces' 10 and 4: the losses must work for any groups).
 */
export interface Case {
  adversarial: number[];
  ink: number[][];
  background: number[][];
}

export const REAL: Case = {
  adversarial: [1.5, -0.5, 3],
  ink: [[2, 0, -1, 0.5, 0, 0, 1, -2], [0, 0, 0, 0, 0, 0, 0, 0], [-1, 3, 0, 0, 2, 0, 0, 1]],
  background: [[1, 0, 0, 0, 0, -1], [0.5, 2, -1, 0, 0, 0], [0, 0, 0, 4, 0, 0]],
};
export const FAKE: Case = {
  adversarial: [-2, 0.5, -8],
  ink: [[0, 1, 0, 0, 0, 0, 0, 0], [3, 0, 0, -2, 0, 0, 0, 1], [0, 0, 0, 0, 0, 2, 0, 0]],
  background: [[0, 0, 1, 0, 0, 0], [0, 0, 0, 0, 3, 0], [-1, 0, 0, 0, 0, 2]],
};
export const REAL_TAGS = { ink: [0, 5, 1], background: [0, 1, 3] };
export const FAKE_TAGS = { ink: [1, 0, 7], background: [2, 4, 5] };

function outputs(c: Case): tf.Tensor[] {
  return [tf.tensor2d(c.adversarial, [3, 1]), tf.tensor2d(c.ink), tf.tensor2d(c.background)];
}

export function oneHots(tags: { ink: number[]; background: number[] }): tf.Tensor[] {
  return [
    tf.oneHot(tags.ink, 8).toFloat(),
    tf.oneHot(tags.background, 6).toFloat(),
  ];
}

/** The weight settings the loss probes try. */
export const WEIGHT_CASES = [[1, 0.3, 0.35], [1, 0, 0], [0, 1, 0], [0, 0, 2]];

async function probeDiscriminatorLoss(student: Record<string, unknown>): Promise<Observations> {
  const loss = studentFunction<DLoss>(student, "acganDiscriminatorLoss");
  const value = (w: number[]) =>
    tf.tidy(() =>
      scalarValue(
        loss(outputs(REAL), outputs(FAKE), oneHots(REAL_TAGS), w),
        "acganDiscriminatorLoss",
      )
    );
  const observations: Observations = {};
  for (const [i, w] of WEIGHT_CASES.entries()) {
    observations[`value${i}`] = await observe(() => value(w));
  }
  observations.fakeTagGradient = await observe(() =>
    tf.tidy(() => {
      const fake = outputs(FAKE);
      const g = tf.grads((ink: tf.Tensor, bg: tf.Tensor) =>
        loss(outputs(REAL), [fake[0], ink, bg], oneHots(REAL_TAGS), [1, 0.3, 0.35])
          // + 0 * logits, so the gradient exists (and is 0) when the loss ignores them
          .add(ink.sum().add(bg.sum()).mul(0))
      )([fake[1], fake[2]]);
      return g.map((t) => t.abs().max().dataSync()[0]);
    })
  );
  observations.leaked = await observe(() => {
    const args = [outputs(REAL), outputs(FAKE), oneHots(REAL_TAGS)] as const;
    const leaked = leakedTensors(() => loss(args[0], args[1], args[2], [1, 0.3, 0.35]));
    tf.dispose(args.flat());
    return leaked;
  });
  return observations;
}

async function probeGeneratorLoss(student: Record<string, unknown>): Promise<Observations> {
  const loss = studentFunction<GLoss>(student, "acganGeneratorLoss");
  const value = (w: number[]) =>
    tf.tidy(() => scalarValue(loss(outputs(FAKE), oneHots(FAKE_TAGS), w), "acganGeneratorLoss"));
  const observations: Observations = {};
  for (const [i, w] of WEIGHT_CASES.entries()) {
    observations[`value${i}`] = await observe(() => value(w));
  }
  observations.gradient = await observe(() =>
    tf.tidy(() => {
      const fake = outputs(FAKE);
      const g = tf.grad((adv: tf.Tensor) =>
        loss([adv, fake[1], fake[2]], oneHots(FAKE_TAGS), [1, 0.3, 0.35])
      )(fake[0]);
      return g.dataSync()[2];
    })
  );
  observations.leaked = await observe(() => {
    const args = [outputs(FAKE), oneHots(FAKE_TAGS)] as const;
    const leaked = leakedTensors(() => loss(args[0], args[1], [1, 0.3, 0.35]));
    tf.dispose(args.flat());
    return leaked;
  });
  return observations;
}

/** The training probe's setup: faces, models, the report's loss weights and D:G = 1:2. */
export const HW3_TRAINING = {
  /** Training faces (every (hair, skin) pair 24 times), rendered at 32x32 and shrunk to 16x16. */
  faces: 960,
  /** Seed of the faces. */
  facesSeed: 7,
  /** Side of the images the tiny models make. */
  imageSize: 16,
  steps: 300,
  batchSize: 40,
  latentDim: 16,
  /** Units of the hidden layer of both MLPs. */
  hidden: 128,
  /** The report's loss weights: real/fake, hair, skin. */
  weights: [1, 0.3, 0.35],
  /** Generator updates per discriminator update (the report's D:G = 1:2). */
  gSteps: 2,
};

/** Tag groups of the faces: hair colour (10 values), skin colour (4). */
export const FACE_GROUPS = [10, 4];

/** The training faces as the grader hands them to the child: pixel bytes and tags. */
export interface FaceFile {
  /** Number of faces. */
  count: number;
  /** Side of the images in the bytes. */
  imageSize: number;
  /** Hair colour index of every face. */
  hair: number[];
  /** Skin colour index of every face. */
  skin: number[];
}

/** Small MLP ACGAN models for 16x16 RGB faces with hair and skin tags (fast on wasm). */
export function tinyAcgan(latentDim: number) {
  const size = HW3_TRAINING.imageSize;
  const pixels = size * size * 3;
  const tagSize = FACE_GROUPS.reduce((a, b) => a + b, 0);
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  const z = tf.input({ shape: [latentDim] });
  const tags = tf.input({ shape: [tagSize] });
  let h = tf.layers.concatenate().apply([z, tags]) as tf.SymbolicTensor;
  const hidden = HW3_TRAINING.hidden;
  h = tf.layers.dense({ units: hidden, activation: "relu", kernelInitializer: init(31) })
    .apply(h) as tf.SymbolicTensor; // [batch, 30] -> [batch, hidden]
  const out = tf.layers.dense({ units: pixels, activation: "tanh", kernelInitializer: init(32) })
    .apply(h) as tf.SymbolicTensor; // -> [batch, 768]
  const image = tf.layers.reshape({ targetShape: [size, size, 3] })
    .apply(out) as tf.SymbolicTensor; // -> [batch, 16, 16, 3]
  const generator = tf.model({ inputs: [z, tags], outputs: image });
  const x = tf.input({ shape: [size, size, 3] });
  let f = tf.layers.flatten().apply(x) as tf.SymbolicTensor; // [batch, 768]
  f = tf.layers.dense({ units: hidden, kernelInitializer: init(33) }).apply(f) as tf.SymbolicTensor;
  f = tf.layers.leakyReLU({ alpha: 0.2 }).apply(f) as tf.SymbolicTensor; // [batch, hidden]
  const heads = [1, ...FACE_GROUPS].map((units, i) =>
    tf.layers.dense({ units, kernelInitializer: init(34 + i) }).apply(f) as tf.SymbolicTensor
  ); // [batch, 1], [batch, 10], [batch, 4]
  const discriminator = tf.model({ inputs: x, outputs: heads });
  return { generator, discriminator };
}

/** One-hot face tags `[hair [n, 10], skin [n, 4]]`. */
export function faceTags(hair: number[], skin: number[]): tf.Tensor[] {
  return [
    tf.oneHot(hair, FACE_GROUPS[0]).toFloat(),
    tf.oneHot(skin, FACE_GROUPS[1]).toFloat(),
  ];
}

/** Read the faces the grader wrote into `dataDir`: images `[n, 16, 16, 3]` in [-1, 1] and tags. */
async function readFaces(dataDir: string) {
  const header = JSON.parse(await Deno.readTextFile(`${dataDir}/faces.json`)) as FaceFile;
  const bytes = await Deno.readFile(`${dataDir}/faces.rgb`);
  const { count, imageSize } = header;
  const shrink = imageSize / HW3_TRAINING.imageSize;
  const images = tf.tidy(() => {
    const full = tf.tensor4d(Float32Array.from(bytes, (b) => b / 127.5 - 1), [
      count,
      imageSize,
      imageSize,
      3,
    ]);
    // [n, 32, 32, 3] -> [n, 16, 16, 3]: the mean of each 2x2 block keeps the colours
    return shrink === 1 ? full : tf.avgPool(full, shrink, shrink, "valid") as tf.Tensor4D;
  });
  return { images, hair: header.hair, skin: header.skin };
}

async function probeTraining(
  student: Record<string, unknown>,
  context: ProbeContext,
): Promise<Observations> {
  const dLoss = studentFunction<DLoss>(student, "acganDiscriminatorLoss");
  const gLoss = studentFunction<GLoss>(student, "acganGeneratorLoss");
  const { steps, batchSize, latentDim, weights, gSteps, imageSize } = HW3_TRAINING;
  if (!context.dataDir) throw new Error("the grader gave the training test no faces");
  const faces = await readFaces(context.dataDir);
  const count = faces.images.shape[0];
  const { generator, discriminator } = tinyAcgan(latentDim);
  const gVars = generator.trainableWeights.map((w) => w.read() as tf.Variable);
  const dVars = discriminator.trainableWeights.map((w) => w.read() as tf.Variable);
  const gOptimizer = tf.train.adam(2e-3, 0.5);
  const dOptimizer = tf.train.adam(2e-3, 0.5);
  const asked = (step: number, k: number) => {
    const hair = Array.from({ length: batchSize }, (_, i) => (i * 3 + step + k) % FACE_GROUPS[0]);
    const skin = Array.from(
      { length: batchSize },
      (_, i) => (i * 7 + 2 * step + k) % FACE_GROUPS[1],
    );
    return faceTags(hair, skin);
  };
  const finite = await observe(() => {
    for (let step = 0; step < steps; step++) {
      const start = (step * batchSize) % count;
      const losses = tf.tidy(() => {
        const real = faces.images.slice([start, 0, 0, 0], [batchSize, imageSize, imageSize, 3]);
        const realTags = faceTags(
          faces.hair.slice(start, start + batchSize),
          faces.skin.slice(start, start + batchSize),
        );
        const fakeTags = asked(step, 0);
        const z = tf.randomNormal([batchSize, latentDim], 0, 1, "float32", tfSeed(2 * step));
        const fake = generator.apply([z, tf.concat(fakeTags, 1)]) as tf.Tensor;
        const d = dOptimizer.minimize(
          () =>
            dLoss(
              discriminator.apply(real) as tf.Tensor[],
              discriminator.apply(fake) as tf.Tensor[],
              realTags,
              weights,
            ),
          true,
          dVars,
        )!;
        const values = [d.dataSync()[0]];
        for (let k = 1; k <= gSteps; k++) {
          // D:G = 1:2: each G update asks for fresh tags with fresh noise
          const tagsG = asked(step, k);
          const zG = tf.randomNormal([batchSize, latentDim], 0, 1, "float32", tfSeed(2 * step + k));
          const g = gOptimizer.minimize(
            () =>
              gLoss(
                discriminator.apply(generator.apply([zG, tf.concat(tagsG, 1)])) as tf.Tensor[],
                tagsG,
                weights,
              ),
            true,
            gVars,
          )!;
          values.push(g.dataSync()[0]);
        }
        return values;
      });
      if (!losses.every(Number.isFinite)) return false;
    }
    return true;
  });
  faces.images.dispose();
  return { finite, generator: await observe(() => plain(snapshot(generator))) };
}

/** hw3_acgan's probes by item id. */
export const HW3_PROBES: Record<string, Probe> = {
  discriminatorLoss: probeDiscriminatorLoss,
  generatorLoss: probeGeneratorLoss,
  training: probeTraining,
};
