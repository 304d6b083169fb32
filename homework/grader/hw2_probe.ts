/**
 * The sandboxed half of hw2_wgan_gp's tests: run the student's gradient penalty and critic loop on
 * fixed inputs and report what they produced (penalty values, the alphas the critic saw, the
 * gradient in the critic's weights, the weights after one step or a short run, draw counts). The
 * judging is in `hw2_wgan_gp.ts`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { sampleRing } from "../../lib/data/toy.ts";
import { buildMlpDiscriminator, buildMlpGenerator } from "../../lib/models/mlp.ts";
import { type Observations, observe, type Probe, studentFunction } from "./check.ts";
import { leakedTensors, plain, scalarValue, snapshot } from "./fixtures.ts";
import type { PenaltyFunction } from "./hw2_reference.ts";
import { resetAlphaStream } from "./hw2_reference.ts";

type Critic = (x: tf.Tensor) => tf.Tensor;
/** The models, optimizers and settings of one WGAN-GP step. */
export interface WganGp {
  /** z -> samples. */
  generator: tf.LayersModel;
  /** samples -> scores. */
  critic: tf.LayersModel;
  /** G's optimizer. */
  gOptimizer: tf.Optimizer;
  /** The critic's optimizer. */
  cOptimizer: tf.Optimizer;
  /** Critic updates per generator update. */
  nCritic: number;
  /** Penalty weight. */
  lambda: number;
}
/** The data streams a step draws from. */
export interface WganData {
  /** The next real batch. */
  nextRealImages(): tf.Tensor;
  /** The next noise batch. */
  nextNoise(): tf.Tensor;
}
type TrainStep = (gan: WganGp, data: WganData) => { criticLoss: number; gLoss: number };

/** The penalty probe's samples and alphas. */
export const HW2_INPUTS = {
  real: [[3, 0], [0, 2], [1, 1]],
  fake: [[-1, 0], [0, -2], [0.5, 0.5]],
  alpha: [0.2, 0.7, 1.0],
};
/** The critic-loop probe's setup. */
export const HW2_STEP = { lr: 0.01, nCritic: 3, gSeed: 21, cSeed: 22, batch: 8 };
/** The training probe's setup. */
export const HW2_TRAINING = { steps: 120, batchSize: 64, nCritic: 5 };

/** A linear critic x -> x . w, gradient w everywhere. */
function linearCritic(w: number[]): Critic {
  return (x) => x.matMul(tf.tensor2d(w, [w.length, 1]));
}

/** f(x) = 0.5 ||x||^2 per sample: its gradient at x is x itself. */
const halfSquareCritic: Critic = (x) => x.square().sum(1, true).mul(0.5);

async function probePenaltyValue(student: Record<string, unknown>): Promise<Observations> {
  const penalty = studentFunction<PenaltyFunction>(student, "gradientPenalty");
  const value = (
    critic: Critic,
    real: tf.Tensor,
    fake: tf.Tensor,
    o?: Parameters<PenaltyFunction>[3],
  ) => tf.tidy(() => scalarValue(penalty(critic, real, fake, o), "gradientPenalty"));
  const { real, fake, alpha } = HW2_INPUTS;
  const ones = tf.ones([4, 2]);
  const zeros = tf.zeros([4, 2]);
  const observations: Observations = {
    normHalf: await observe(() => value(linearCritic([0.3, 0.4]), ones, zeros)),
    normTwo: await observe(() => value(linearCritic([1.2, 1.6]), ones, zeros)),
    interpolates: await observe(() =>
      value(halfSquareCritic, tf.tensor2d(real), tf.tensor2d(fake), { alpha: tf.tensor1d(alpha) })
    ),
    lambdaOne: await observe(() =>
      value(halfSquareCritic, tf.tensor2d(real), tf.tensor2d(fake), {
        alpha: tf.tensor1d(alpha),
        lambda: 1,
      })
    ),
    images: await observe(() => {
      // f(x) = sum(x * W): gradient W for every sample, ||W|| = 1.5
      const w = tf.fill([1, 3, 3, 1], 0.5);
      const critic: Critic = (x) => x.mul(w).sum([1, 2, 3]).reshape([-1, 1]);
      return value(critic, tf.ones([2, 3, 3, 1]), tf.zeros([2, 3, 3, 1]));
    }),
    leaked: await observe(() => {
      const critic = linearCritic([0.3, 0.4]);
      return leakedTensors(() => penalty(critic, ones, zeros));
    }),
  };
  tf.dispose([ones, zeros]);
  return observations;
}

async function probeAlphaSampling(student: Record<string, unknown>): Promise<Observations> {
  const penalty = studentFunction<PenaltyFunction>(student, "gradientPenalty");
  // real = 1, fake = 0, so the critic sees x_hat = alpha in every coordinate.
  const draws: number[][] = [];
  const spy: Critic = (x) => {
    draws.push(Array.from(x.slice([0, 0], [x.shape[0], 1]).dataSync()));
    return x.sum(1, true);
  };
  const real = tf.ones([256, 2]);
  const fake = tf.zeros([256, 2]);
  const run = () => tf.tidy(() => scalarValue(penalty(spy, real, fake), "gradientPenalty"));
  const observations: Observations = {
    first: await observe(() => (run(), draws.at(-1) ?? null)),
    second: await observe(() => (run(), draws.at(-1) ?? null)),
  };
  tf.dispose([real, fake]);
  return observations;
}

async function probePenaltyGradient(student: Record<string, unknown>): Promise<Observations> {
  const penalty = studentFunction<PenaltyFunction>(student, "gradientPenalty");
  const w = tf.variable(tf.tensor2d([1.2, 1.6], [2, 1]), true, "hw2_w");
  const critic: Critic = (x) => x.matMul(w);
  const gradient = await observe(() =>
    tf.tidy(() => {
      const { grads } = tf.variableGrads(
        () => penalty(critic, tf.ones([4, 2]), tf.zeros([4, 2])),
        [w],
      );
      return Array.from(grads[w.name].dataSync());
    })
  );
  w.dispose();
  return { gradient };
}

/** Seeded data streams that count their draws (the same in the child and the replay). */
export function countingData(batchSize: number): {
  counts: { real: number; noise: number };
  data: WganData;
} {
  const counts = { real: 0, noise: 0 };
  const data: WganData = {
    nextRealImages: () => sampleRing(batchSize, { seed: 100 + counts.real++ }),
    nextNoise: () => tf.randomNormal([batchSize, 2], 0, 1, "float32", 200 + counts.noise++),
  };
  return { counts, data };
}

/** The critic-loop probe's models. */
export function stepModels(): { generator: tf.LayersModel; critic: tf.LayersModel } {
  return {
    generator: buildMlpGenerator({ latentDim: 2, hidden: [8], seed: HW2_STEP.gSeed }),
    critic: buildMlpDiscriminator({ hidden: [8], seed: HW2_STEP.cSeed }),
  };
}

async function probeCriticLoop(student: Record<string, unknown>): Promise<Observations> {
  const trainStep = studentFunction<TrainStep>(student, "trainStep");
  const { generator, critic } = stepModels();
  const gan: WganGp = {
    generator,
    critic,
    gOptimizer: tf.train.sgd(HW2_STEP.lr),
    cOptimizer: tf.train.sgd(HW2_STEP.lr),
    nCritic: HW2_STEP.nCritic,
    lambda: 10,
  };
  const stream = countingData(HW2_STEP.batch);
  resetAlphaStream();
  const result = await observe(() => {
    const out = trainStep(gan, stream.data);
    return { criticLoss: out?.criticLoss, gLoss: out?.gLoss };
  });
  if (!result.ok) return { result };
  return {
    result,
    counts: { ok: true, value: { ...stream.counts } },
    generator: await observe(() => plain(snapshot(generator))),
    critic: await observe(() => plain(snapshot(critic))),
    leaked: await observe(() => {
      const more = countingData(HW2_STEP.batch);
      return leakedTensors(() => trainStep(gan, more.data));
    }),
  };
}

/** The training probe's generator, before training. */
export function trainingGenerator(): tf.LayersModel {
  return buildMlpGenerator({ latentDim: 2, hidden: [64, 64], seed: 0 });
}

/** The training probe's critic, before training. */
export function trainingCritic(): tf.LayersModel {
  return buildMlpDiscriminator({ hidden: [64, 64], seed: 1 });
}

async function probeTraining(student: Record<string, unknown>): Promise<Observations> {
  const trainStep = studentFunction<TrainStep>(student, "trainStep");
  const { steps, batchSize, nCritic } = HW2_TRAINING;
  const generator = trainingGenerator();
  const critic = trainingCritic();
  const gan: WganGp = {
    generator,
    critic,
    gOptimizer: tf.train.adam(3e-3, 0, 0.9),
    cOptimizer: tf.train.adam(3e-3, 0, 0.9),
    nCritic,
    lambda: 10,
  };
  let draws = 0;
  const data: WganData = {
    nextRealImages: () => sampleRing(batchSize, { seed: 1000 + draws++ }),
    nextNoise: () => tf.randomNormal([batchSize, 2], 0, 1, "float32", 9000 + draws++),
  };
  const finite = await observe(() => {
    for (let step = 0; step < steps; step++) {
      const logs = trainStep(gan, data);
      if (!Number.isFinite(logs?.criticLoss) || !Number.isFinite(logs?.gLoss)) return false;
    }
    return true;
  });
  return {
    finite,
    generator: await observe(() => plain(snapshot(generator))),
    critic: await observe(() => plain(snapshot(critic))),
  };
}

/** hw2_wgan_gp's probes by item id. */
export const HW2_PROBES: Record<string, Probe> = {
  penaltyValue: probePenaltyValue,
  alphaSampling: probeAlphaSampling,
  penaltyGradient: probePenaltyGradient,
  criticLoop: probeCriticLoop,
  training: probeTraining,
};
