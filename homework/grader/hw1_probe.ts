/**
 * The sandboxed half of hw1_dcgan's tests: run the student's losses and training step on fixed
 * inputs and report what they produced (values, gradients, leaked tensors, weights after a step or
 * a short run). The judging, against float64 and replayed references, is in `hw1_dcgan.ts`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { sampleRing } from "../../lib/data/toy.ts";
import { buildMlpDiscriminator, buildMlpGenerator } from "../../lib/models/mlp.ts";
import { type Observations, observe, type Probe, studentFunction } from "./check.ts";
import { leakedTensors, plain, scalarValue, snapshot } from "./fixtures.ts";

type DLoss = (realLogits: tf.Tensor, fakeLogits: tf.Tensor) => tf.Scalar;
type GLoss = (fakeLogits: tf.Tensor) => tf.Scalar;
/** The models and optimizers of one step. */
export interface Gan {
  /** z -> samples. */
  generator: tf.LayersModel;
  /** samples -> logits. */
  discriminator: tf.LayersModel;
  /** G's optimizer. */
  gOptimizer: tf.Optimizer;
  /** D's optimizer. */
  dOptimizer: tf.Optimizer;
}
type TrainStep = (
  gan: Gan,
  batch: { realImages: tf.Tensor; noise: tf.Tensor },
) => { dLoss: number; gLoss: number };

/** The logits the loss probes use. */
export const HW1_INPUTS = {
  real: [2, -1, 0.5],
  fake: [-3, 1, 0],
  stable: [[60, -60], [-60, 60]],
  batches: [[1, 2, 3, -1], [0.5, -2]],
  gFake: [-3, 0, 2],
  gStable: [-60, -60],
  gSaturated: [-8, -8],
};

/** The step probe's setup: learning rate, model seeds, data seeds. */
export const HW1_STEP = { lr: 0.05, gSeed: 11, dSeed: 12, realSeed: 3, noiseSeed: 4, batch: 16 };
/** The training probe's setup. */
export const HW1_TRAINING = { steps: 300, batchSize: 64, gSeed: 0, dSeed: 1 };

/** The step probe's models, built the same way in the child and in the judge. */
export function stepModels(): { generator: tf.LayersModel; discriminator: tf.LayersModel } {
  return {
    generator: buildMlpGenerator({ latentDim: 2, hidden: [8], seed: HW1_STEP.gSeed }),
    discriminator: buildMlpDiscriminator({ hidden: [8], seed: HW1_STEP.dSeed }),
  };
}

/** The step probe's batch. */
export function stepBatch(): { realImages: tf.Tensor2D; noise: tf.Tensor } {
  return {
    realImages: sampleRing(HW1_STEP.batch, { seed: HW1_STEP.realSeed }),
    noise: tf.randomNormal([HW1_STEP.batch, 2], 0, 1, "float32", HW1_STEP.noiseSeed),
  };
}

/** The training probe's generator, before training. */
export function trainingGenerator(): tf.LayersModel {
  return buildMlpGenerator({ latentDim: 2, hidden: [64, 64], seed: HW1_TRAINING.gSeed });
}

function col(values: number[]): tf.Tensor2D {
  return tf.tensor2d(values, [values.length, 1]);
}

async function probeDiscriminatorLoss(student: Record<string, unknown>): Promise<Observations> {
  const dLoss = studentFunction<DLoss>(student, "discriminatorLoss");
  const value = (real: number[], fake: number[]) =>
    tf.tidy(() => scalarValue(dLoss(col(real), col(fake)), "discriminatorLoss"));
  const { real, fake, stable, batches } = HW1_INPUTS;
  return {
    moderate: await observe(() => value(real, fake)),
    stable: await observe(() => value(stable[0], stable[1])),
    batches: await observe(() => value(batches[0], batches[1])),
    gradient: await observe(() =>
      tf.tidy(() => {
        const grads = tf.grads((r: tf.Tensor, f: tf.Tensor) => dLoss(r, f))([col(real), col(fake)]);
        return grads.flatMap((g) => Array.from(g.dataSync()));
      })
    ),
    leaked: await observe(() => {
      const [r, f] = [col(real), col(fake)];
      const leaked = leakedTensors(() => dLoss(r, f));
      tf.dispose([r, f]);
      return leaked;
    }),
  };
}

async function probeGeneratorLoss(student: Record<string, unknown>): Promise<Observations> {
  const gLoss = studentFunction<GLoss>(student, "generatorLoss");
  const value = (fake: number[]) => tf.tidy(() => scalarValue(gLoss(col(fake)), "generatorLoss"));
  return {
    value: await observe(() => value(HW1_INPUTS.gFake)),
    stable: await observe(() => value(HW1_INPUTS.gStable)),
    gradient: await observe(() =>
      tf.tidy(() =>
        Array.from(tf.grad((f: tf.Tensor) => gLoss(f))(col(HW1_INPUTS.gSaturated)).dataSync())
      )
    ),
    leaked: await observe(() => {
      const f = col(HW1_INPUTS.gFake);
      const leaked = leakedTensors(() => gLoss(f));
      f.dispose();
      return leaked;
    }),
  };
}

async function probeTrainStep(student: Record<string, unknown>): Promise<Observations> {
  const trainStep = studentFunction<TrainStep>(student, "trainStep");
  const { generator, discriminator } = stepModels();
  const gan: Gan = {
    generator,
    discriminator,
    gOptimizer: tf.train.sgd(HW1_STEP.lr),
    dOptimizer: tf.train.sgd(HW1_STEP.lr),
  };
  const batch = stepBatch();
  const result = await observe(() => {
    const out = trainStep(gan, batch);
    return { dLoss: out?.dLoss, gLoss: out?.gLoss };
  });
  if (!result.ok) return { result };
  return {
    result,
    generator: await observe(() => plain(snapshot(generator))),
    discriminator: await observe(() => plain(snapshot(discriminator))),
    leaked: await observe(() => leakedTensors(() => trainStep(gan, batch))),
  };
}

async function probeTraining(student: Record<string, unknown>): Promise<Observations> {
  const trainStep = studentFunction<TrainStep>(student, "trainStep");
  const { steps, batchSize } = HW1_TRAINING;
  const generator = trainingGenerator();
  const discriminator = buildMlpDiscriminator({ hidden: [64, 64], seed: HW1_TRAINING.dSeed });
  const gan: Gan = {
    generator,
    discriminator,
    gOptimizer: tf.train.adam(3e-3, 0.5),
    dOptimizer: tf.train.adam(3e-3, 0.5),
  };
  const finite = await observe(() => {
    for (let step = 0; step < steps; step++) {
      const realImages = sampleRing(batchSize, { seed: 1000 + step });
      const noise = tf.randomNormal([batchSize, 2], 0, 1, "float32", 5000 + step);
      const logs = trainStep(gan, { realImages, noise });
      tf.dispose([realImages, noise]);
      if (!Number.isFinite(logs?.dLoss) || !Number.isFinite(logs?.gLoss)) return false;
    }
    return true;
  });
  return { finite, generator: await observe(() => plain(snapshot(generator))) };
}

/** hw1_dcgan's probes by item id. */
export const HW1_PROBES: Record<string, Probe> = {
  discriminatorLoss: probeDiscriminatorLoss,
  generatorLoss: probeGeneratorLoss,
  trainStep: probeTrainStep,
  training: probeTraining,
};
