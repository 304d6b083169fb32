/**
 * Hidden tests of hw1_dcgan: the discriminator loss and the non-saturating generator loss against
 * float64 references (values, stability at large logits, gradients), one training step replayed
 * exactly with SGD, and a short toy-GAN run on the ring that must bring samples onto the modes.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { sampleRing } from "@course/data/toy.ts";
import { buildMlpDiscriminator, buildMlpGenerator } from "@course/models/mlp.ts";
import {
  type Assignment,
  attempt,
  type CheckOutcome,
  close,
  studentFunction,
  type StudentModule,
  verdict,
} from "./check.ts";
import {
  leakedTensors,
  leakVerdict,
  maxDifference,
  mean64,
  meanModeDistance,
  restore,
  scalarValue,
  sigmoid64,
  snapshot,
  softplus64,
} from "./fixtures.ts";

type DLoss = (realLogits: tf.Tensor, fakeLogits: tf.Tensor) => tf.Scalar;
type GLoss = (fakeLogits: tf.Tensor) => tf.Scalar;
interface Gan {
  generator: tf.LayersModel;
  discriminator: tf.LayersModel;
  gOptimizer: tf.Optimizer;
  dOptimizer: tf.Optimizer;
}
type TrainStep = (
  gan: Gan,
  batch: { realImages: tf.Tensor; noise: tf.Tensor },
) => { dLoss: number; gLoss: number };

/** Reference D loss in float64: mean softplus(-real) + mean softplus(fake). */
function dLoss64(real: number[], fake: number[]): number {
  return mean64(real.map((x) => softplus64(-x))) + mean64(fake.map(softplus64));
}

function col(values: number[]): tf.Tensor2D {
  return tf.tensor2d(values, [values.length, 1]);
}

async function checkDiscriminatorLoss(student: StudentModule): Promise<CheckOutcome[]> {
  const dLoss = studentFunction<DLoss>(student, "discriminatorLoss");
  const value = (real: number[], fake: number[]) =>
    tf.tidy(() => scalarValue(dLoss(col(real), col(fake)), "discriminatorLoss"));
  const real = [2, -1, 0.5];
  const fake = [-3, 1, 0];
  return [
    await attempt("value on moderate logits", () => close(value(real, fake), dLoss64(real, fake))),
    await attempt(
      "value at logits of +-60 (numerically stable, finite)",
      () => close(value([60, -60], [-60, 60]), dLoss64([60, -60], [-60, 60])),
    ),
    await attempt(
      "real and fake terms averaged over their own batches (4 real, 2 fake)",
      () => close(value([1, 2, 3, -1], [0.5, -2]), dLoss64([1, 2, 3, -1], [0.5, -2])),
    ),
    await attempt("gradient with respect to the logits", () => {
      const [gReal, gFake] = tf.tidy(() => {
        const grads = tf.grads((r: tf.Tensor, f: tf.Tensor) => dLoss(r, f))([col(real), col(fake)]);
        return grads.map((g) => Array.from(g.dataSync()));
      });
      const want = [
        ...real.map((x) => (sigmoid64(x) - 1) / real.length),
        ...fake.map((x) => sigmoid64(x) / fake.length),
      ];
      return close([...gReal, ...gFake], want);
    }),
    await attempt("no tensors leaked", () => {
      const [r, f] = [col(real), col(fake)];
      const leaked = leakedTensors(() => dLoss(r, f));
      tf.dispose([r, f]);
      return leakVerdict(leaked, "call");
    }),
  ];
}

async function checkGeneratorLoss(student: StudentModule): Promise<CheckOutcome[]> {
  const gLoss = studentFunction<GLoss>(student, "generatorLoss");
  const value = (fake: number[]) => tf.tidy(() => scalarValue(gLoss(col(fake)), "generatorLoss"));
  const fake = [-3, 0, 2];
  return [
    await attempt(
      "value: -mean(log sigmoid(fake logits))",
      () => close(value(fake), mean64(fake.map((x) => softplus64(-x)))),
    ),
    await attempt(
      "value at logits of -60 (numerically stable, finite)",
      () => close(value([-60, -60]), 60),
    ),
    await attempt("non-saturating: strong gradient where D rejects the fakes (logit -8)", () => {
      const grad = tf.tidy(() =>
        Array.from(tf.grad((f: tf.Tensor) => gLoss(f))(col([-8, -8])).dataSync())
      );
      const want = [-(1 - sigmoid64(-8)) / 2, -(1 - sigmoid64(-8)) / 2];
      const outcome = close(grad, want);
      if (!outcome.passed && Math.abs(grad[0]) < 0.01) {
        outcome.detail += " (a gradient near 0 means the loss saturates: minimise -log D(G(z)), " +
          "not log(1 - D(G(z))))";
      }
      return outcome;
    }),
    await attempt("no tensors leaked", () => {
      const f = col(fake);
      const leaked = leakedTensors(() => gLoss(f));
      f.dispose();
      return leakVerdict(leaked, "call");
    }),
  ];
}

/** Reference loss functions for the replay, written with tf ops independently of the student. */
const refSoftplus = (x: tf.Tensor) => tf.relu(x).add(tf.log1p(tf.exp(tf.abs(x).neg())));
const refDLoss = (r: tf.Tensor, f: tf.Tensor) =>
  refSoftplus(r.neg()).mean().add(refSoftplus(f).mean()) as tf.Scalar;
const refGLoss = (f: tf.Tensor) => refSoftplus(f.neg()).mean() as tf.Scalar;

function variablesOf(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/** One plain gradient-descent update of `model` on `loss`; returns the loss value. */
function sgdUpdate(model: tf.LayersModel, loss: () => tf.Scalar, lr: number): number {
  return tf.tidy(() => {
    const vars = variablesOf(model);
    const { value, grads } = tf.variableGrads(loss, vars);
    vars.forEach((v) => v.assign(v.sub(grads[v.name].mul(lr))));
    return value.dataSync()[0];
  });
}

async function checkTrainStep(student: StudentModule): Promise<CheckOutcome[]> {
  const trainStep = studentFunction<TrainStep>(student, "trainStep");
  const lr = 0.05;
  const generator = buildMlpGenerator({ latentDim: 2, hidden: [8], seed: 11 });
  const discriminator = buildMlpDiscriminator({ hidden: [8], seed: 12 });
  const gan: Gan = {
    generator,
    discriminator,
    gOptimizer: tf.train.sgd(lr),
    dOptimizer: tf.train.sgd(lr),
  };
  const realImages = sampleRing(16, { seed: 3 });
  const noise = tf.randomNormal([16, 2], 0, 1, "float32", 4);
  const batch = { realImages, noise };
  const g0 = snapshot(generator);
  const d0 = snapshot(discriminator);
  const outcomes: CheckOutcome[] = [];
  let result: { dLoss: number; gLoss: number } | null = null;
  outcomes.push(
    await attempt("returns finite numbers { dLoss, gLoss }", () => {
      result = trainStep(gan, batch);
      const ok = typeof result?.dLoss === "number" && typeof result?.gLoss === "number" &&
        Number.isFinite(result.dLoss) && Number.isFinite(result.gLoss);
      return verdict(ok, `got ${JSON.stringify(result)}`, `got ${JSON.stringify(result)}`);
    }),
  );
  if (result === null) return outcomes;
  const { dLoss, gLoss } = result as { dLoss: number; gLoss: number };
  const g1 = snapshot(generator);
  const d1 = snapshot(discriminator);
  // Replay: D update from the start, then G's update through the new D (or the old D).
  restore(generator, g0);
  restore(discriminator, d0);
  const apply = (m: tf.LayersModel, x: tf.Tensor) => m.apply(x, { training: true }) as tf.Tensor;
  const refD = sgdUpdate(discriminator, () => {
    const fake = tf.tidy(() => apply(generator, noise));
    return refDLoss(apply(discriminator, realImages), apply(discriminator, fake));
  }, lr);
  const dRef = snapshot(discriminator);
  const gLossOf = () => refGLoss(apply(discriminator, apply(generator, noise)));
  const refGAfter = sgdUpdate(generator, gLossOf, lr);
  const gRefAfter = snapshot(generator);
  restore(generator, g0);
  restore(discriminator, d0);
  const refGBefore = sgdUpdate(generator, gLossOf, lr);
  const gRefBefore = snapshot(generator);
  restore(discriminator, d1);
  outcomes.push(
    await attempt(
      "dLoss is the discriminator loss on real and fake samples",
      () => close(dLoss, refD, 1e-4),
    ),
  );
  outcomes.push(
    await attempt("the discriminator takes exactly one update on real + fake", () => {
      const diff = maxDifference(d1, dRef);
      return verdict(
        diff < 1e-4,
        diff < 1e-4 ? "matches the reference update" : `D's weights differ from one SGD step on ` +
          `dLoss by up to ${diff.toPrecision(3)}: update D once per step with only D's variables ` +
          `(the G update must not change D: pass G's variables to minimize)`,
      );
    }),
  );
  outcomes.push(
    await attempt("the generator takes exactly one update on the G loss", () => {
      const diff = Math.min(maxDifference(g1, gRefAfter), maxDifference(g1, gRefBefore));
      const lossOk = close(gLoss, refGAfter).passed || close(gLoss, refGBefore).passed;
      return verdict(
        diff < 1e-4 && lossOk,
        diff < 1e-4 && lossOk
          ? "matches the reference update"
          : `G's weights differ from one SGD ` +
            `step on the non-saturating loss by up to ${diff.toPrecision(3)} (gLoss ${gLoss}, ` +
            `expected ${refGAfter.toPrecision(6)}): update only G's variables, with the same noise`,
      );
    }),
  );
  outcomes.push(
    await attempt("no tensors leaked by a step", () => {
      const leaked = leakedTensors(() => trainStep(gan, batch));
      return leakVerdict(leaked, "step");
    }),
  );
  tf.dispose([realImages, noise]);
  return outcomes;
}

function checkTraining(student: StudentModule): CheckOutcome[] {
  const trainStep = studentFunction<TrainStep>(student, "trainStep");
  const steps = 300;
  const batchSize = 64;
  const generator = buildMlpGenerator({ latentDim: 2, hidden: [64, 64], seed: 0 });
  const discriminator = buildMlpDiscriminator({ hidden: [64, 64], seed: 1 });
  const gan: Gan = {
    generator,
    discriminator,
    gOptimizer: tf.train.adam(3e-3, 0.5),
    dOptimizer: tf.train.adam(3e-3, 0.5),
  };
  const distance = () =>
    tf.tidy(() =>
      meanModeDistance(
        generator.predict(tf.randomNormal([1000, 2], 0, 1, "float32", 99)) as tf.Tensor2D,
      )
    );
  const before = distance();
  let finite = true;
  for (let step = 0; step < steps && finite; step++) {
    const realImages = sampleRing(batchSize, { seed: 1000 + step });
    const noise = tf.randomNormal([batchSize, 2], 0, 1, "float32", 5000 + step);
    const logs = trainStep(gan, { realImages, noise });
    finite = Number.isFinite(logs.dLoss) && Number.isFinite(logs.gLoss);
    tf.dispose([realImages, noise]);
  }
  const after = distance();
  return [
    {
      name: `losses stay finite for ${steps} steps`,
      passed: finite,
      detail: finite ? "finite" : "got NaN or infinity",
    },
    {
      name: `${steps} steps bring samples onto the ring's modes (mean distance to nearest mode)`,
      passed: finite && after < 0.5 * before,
      detail: `from ${before.toFixed(3)} to ${
        after.toFixed(3)
      }; it must fall below half the start (${(0.5 * before).toFixed(3)})`,
    },
  ];
}

/** hw1_dcgan's items. */
export const HW1_DCGAN: Assignment = {
  id: "hw1_dcgan",
  title: "DCGAN losses and training step",
  cellNames: {
    dcganLosses: ["discriminatorLoss", "generatorLoss"],
    trainStep: ["trainStep"],
  },
  items: [
    {
      id: "discriminatorLoss",
      title: "discriminatorLoss: BCE on real and fake logits",
      points: 3,
      cells: ["dcganLosses"],
      timeoutS: 30,
      check: checkDiscriminatorLoss,
    },
    {
      id: "generatorLoss",
      title: "generatorLoss: non-saturating, on logits",
      points: 3,
      cells: ["dcganLosses"],
      timeoutS: 30,
      check: checkGeneratorLoss,
    },
    {
      id: "trainStep",
      title: "trainStep: one D update on real + fake, one G update",
      points: 4,
      cells: ["trainStep"],
      timeoutS: 40,
      check: checkTrainStep,
    },
    {
      id: "training",
      title: "a 300-step toy GAN with your trainStep learns the ring",
      points: 2,
      cells: ["trainStep"],
      timeoutS: 90,
      check: checkTraining,
    },
  ],
};
