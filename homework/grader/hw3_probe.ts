/**
 * The sandboxed half of hw3_acgan's tests: run the student's ACGAN losses on fixed outputs and tags
 * (values per weight setting, gradients, leaked tensors) and in a short conditional training run
 * whose generator weights come back. The judging is in `hw3_acgan.ts`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { BACKGROUND_COLOURS, INK_COLOURS, loadMultiTag } from "@course/data/multi_tag.ts";
import { tfSeed } from "@course/core/random.ts";
import { type Observations, observe, type Probe, studentFunction } from "./check.ts";
import { leakedTensors, plain, scalarValue, snapshot } from "./fixtures.ts";

type DLoss = (
  realOutputs: tf.Tensor[],
  fakeOutputs: tf.Tensor[],
  realTags: tf.Tensor[],
  weights: number[],
) => tf.Scalar;
type GLoss = (fakeOutputs: tf.Tensor[], fakeTags: tf.Tensor[], weights: number[]) => tf.Scalar;

/** A fixed batch of 3: real/fake logits, ink logits (8 classes), background logits (6 classes). */
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
    tf.oneHot(tags.ink, INK_COLOURS.length).toFloat(),
    tf.oneHot(tags.background, BACKGROUND_COLOURS.length).toFloat(),
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

/** The training probe's setup. */
export const HW3_TRAINING = { steps: 300, batchSize: 48, latentDim: 16 };

/** Small MLP ACGAN models for 7x7 RGB images (fast on the wasm backend). */
export function tinyAcgan(latentDim: number) {
  const pixels = 7 * 7 * 3;
  const tagSize = INK_COLOURS.length + BACKGROUND_COLOURS.length;
  const z = tf.input({ shape: [latentDim] });
  const tags = tf.input({ shape: [tagSize] });
  let h = tf.layers.concatenate().apply([z, tags]) as tf.SymbolicTensor;
  h = tf.layers.dense({
    units: 128,
    activation: "relu",
    kernelInitializer: tf.initializers.glorotUniform({ seed: 31 }),
  }).apply(h) as tf.SymbolicTensor;
  const out = tf.layers.dense({
    units: pixels,
    activation: "tanh",
    kernelInitializer: tf.initializers.glorotUniform({ seed: 32 }),
  }).apply(h) as tf.SymbolicTensor;
  const image = tf.layers.reshape({ targetShape: [7, 7, 3] }).apply(out) as tf.SymbolicTensor;
  const generator = tf.model({ inputs: [z, tags], outputs: image });
  const x = tf.input({ shape: [7, 7, 3] });
  let f = tf.layers.flatten().apply(x) as tf.SymbolicTensor;
  f = tf.layers.dense({
    units: 128,
    kernelInitializer: tf.initializers.glorotUniform({ seed: 33 }),
  }).apply(f) as tf.SymbolicTensor;
  f = tf.layers.leakyReLU({ alpha: 0.2 }).apply(f) as tf.SymbolicTensor;
  const heads = [1, INK_COLOURS.length, BACKGROUND_COLOURS.length].map((units, i) =>
    tf.layers.dense({ units, kernelInitializer: tf.initializers.glorotUniform({ seed: 34 + i }) })
      .apply(f) as tf.SymbolicTensor
  );
  const discriminator = tf.model({ inputs: x, outputs: heads });
  return { generator, discriminator };
}

async function probeTraining(student: Record<string, unknown>): Promise<Observations> {
  const dLoss = studentFunction<DLoss>(student, "acganDiscriminatorLoss");
  const gLoss = studentFunction<GLoss>(student, "acganGeneratorLoss");
  const { steps, batchSize, latentDim } = HW3_TRAINING;
  const weights = [1, 1, 1];
  const data = await loadMultiTag({ size: 480, seed: 3 });
  // [480, 28, 28, 3] -> [480, 7, 7, 3]: 4x4 average pooling keeps the colours
  const images = tf.tidy(() => tf.avgPool(data.images, 4, 4, "valid") as tf.Tensor4D);
  const inkLabels = Array.from(data.groups[0].labels.dataSync());
  const bgLabels = Array.from(data.groups[1].labels.dataSync());
  data.dispose();
  const { generator, discriminator } = tinyAcgan(latentDim);
  const gVars = generator.trainableWeights.map((w) => w.read() as tf.Variable);
  const dVars = discriminator.trainableWeights.map((w) => w.read() as tf.Variable);
  const gOptimizer = tf.train.adam(2e-3, 0.5);
  const dOptimizer = tf.train.adam(2e-3, 0.5);
  const tagsOf = (ink: number[], bg: number[]) => oneHots({ ink, background: bg });
  const finite = await observe(() => {
    for (let step = 0; step < steps; step++) {
      const start = (step * batchSize) % images.shape[0];
      const losses = tf.tidy(() => {
        const real = images.slice([start, 0, 0, 0], [batchSize, 7, 7, 3]);
        const realTags = tagsOf(
          inkLabels.slice(start, start + batchSize),
          bgLabels.slice(start, start + batchSize),
        );
        const fakeInk = Array.from({ length: batchSize }, (_, i) => (i * 5 + step) % 8);
        const fakeBg = Array.from({ length: batchSize }, (_, i) => (i * 7 + step) % 6);
        const fakeTags = tagsOf(fakeInk, fakeBg);
        const z = tf.randomNormal([batchSize, latentDim], 0, 1, "float32", tfSeed(step));
        const fakeInput = [z, tf.concat(fakeTags, 1)];
        const fake = generator.apply(fakeInput) as tf.Tensor;
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
        const g = gOptimizer.minimize(
          () =>
            gLoss(
              discriminator.apply(generator.apply(fakeInput) as tf.Tensor) as tf.Tensor[],
              fakeTags,
              weights,
            ),
          true,
          gVars,
        )!;
        return [d.dataSync()[0], g.dataSync()[0]];
      });
      if (!losses.every(Number.isFinite)) return false;
    }
    return true;
  });
  images.dispose();
  return { finite, generator: await observe(() => plain(snapshot(generator))) };
}

/** hw3_acgan's probes by item id. */
export const HW3_PROBES: Record<string, Probe> = {
  discriminatorLoss: probeDiscriminatorLoss,
  generatorLoss: probeGeneratorLoss,
  training: probeTraining,
};
