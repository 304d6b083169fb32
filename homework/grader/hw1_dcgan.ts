/**
 * Hidden tests of hw1_dcgan: the discriminator loss and the non-saturating generator loss against
 * float64 references (values, stability at large logits, gradients), one training step replayed
 * exactly with SGD, and a short toy-GAN run on the ring that must bring samples onto the modes.
 *
 * The student's code runs in a sandboxed child (`hw1_probe.ts` says what it runs and reports);
 * this module judges the reports in the grading process, which the child cannot read.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  asNumber,
  asNumbers,
  type Assignment,
  type CheckOutcome,
  close,
  judged,
  type Observations,
  verdict,
} from "./check.ts";
import {
  asWeights,
  judgeTrainedGenerator,
  leakCheck,
  maxDifference,
  mean64,
  meanModeDistance,
  nearestModeShares,
  restore,
  sigmoid64,
  snapshot,
  softplus64,
} from "./fixtures.ts";
import { reportItems } from "./report_checks.ts";
import {
  HW1_INPUTS,
  HW1_STEP,
  HW1_TRAINING,
  stepBatch,
  stepModels,
  trainingGenerator,
} from "./hw1_probe.ts";

/** Reference D loss in float64: mean softplus(-real) + mean softplus(fake). */
function dLoss64(real: number[], fake: number[]): number {
  return mean64(real.map((x) => softplus64(-x))) + mean64(fake.map(softplus64));
}

function judgeDiscriminatorLoss(obs: Observations): CheckOutcome[] {
  const { real, fake, stable, batches } = HW1_INPUTS;
  const moderate = judged(
    "value on moderate logits",
    obs,
    "moderate",
    (v) => close(asNumber(v), dLoss64(real, fake)),
  );
  return [
    moderate,
    judged(
      "value at logits of +-60 (numerically stable, finite)",
      obs,
      "stable",
      (v) => close(asNumber(v), dLoss64(stable[0], stable[1])),
    ),
    judged(
      "real and fake terms averaged over their own batches (4 real, 2 fake)",
      obs,
      "batches",
      (v) => close(asNumber(v), dLoss64(batches[0], batches[1])),
    ),
    judged("gradient with respect to the logits", obs, "gradient", (v) => {
      const want = [
        ...real.map((x) => (sigmoid64(x) - 1) / real.length),
        ...fake.map((x) => sigmoid64(x) / fake.length),
      ];
      return close(asNumbers(v, want.length), want);
    }),
    leakCheck(obs, moderate.passed, "call"),
  ];
}

function judgeGeneratorLoss(obs: Observations): CheckOutcome[] {
  const { gFake, gSaturated } = HW1_INPUTS;
  const value = judged(
    "value: -mean(log sigmoid(fake logits))",
    obs,
    "value",
    (v) => close(asNumber(v), mean64(gFake.map((x) => softplus64(-x)))),
  );
  return [
    value,
    judged(
      "value at logits of -60 (numerically stable, finite)",
      obs,
      "stable",
      (v) => close(asNumber(v), 60),
    ),
    judged(
      "non-saturating: strong gradient where D rejects the fakes (logit -8)",
      obs,
      "gradient",
      (v) => {
        const grad = asNumbers(v, 2);
        const want = gSaturated.map((x) => -(1 - sigmoid64(x)) / gSaturated.length);
        const outcome = close(grad, want);
        if (!outcome.passed && Math.abs(grad[0]) < 0.01) {
          outcome.detail += " (a gradient near 0 means the loss saturates: minimise " +
            "-log D(G(z)), not log(1 - D(G(z))))";
        }
        return outcome;
      },
    ),
    leakCheck(obs, value.passed, "call"),
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

/** The reference step from the probe's start: D's update, G's update after it and before it. */
function replayStep() {
  const { lr } = HW1_STEP;
  const { generator, discriminator } = stepModels();
  const { realImages, noise } = stepBatch();
  const g0 = snapshot(generator);
  const d0 = snapshot(discriminator);
  const apply = (m: tf.LayersModel, x: tf.Tensor) => m.apply(x, { training: true }) as tf.Tensor;
  const dLoss = sgdUpdate(discriminator, () => {
    const fake = tf.tidy(() => apply(generator, noise));
    return refDLoss(apply(discriminator, realImages), apply(discriminator, fake));
  }, lr);
  const dAfter = snapshot(discriminator);
  const gLossOf = () => refGLoss(apply(discriminator, apply(generator, noise)));
  const gLossAfter = sgdUpdate(generator, gLossOf, lr);
  const gAfter = snapshot(generator);
  restore(generator, g0);
  restore(discriminator, d0);
  const gLossBefore = sgdUpdate(generator, gLossOf, lr);
  const gBefore = snapshot(generator);
  tf.dispose([realImages, noise]);
  generator.dispose();
  discriminator.dispose();
  return { dLoss, dAfter, gLossAfter, gAfter, gLossBefore, gBefore };
}

function judgeTrainStep(obs: Observations): CheckOutcome[] {
  const result = judged("returns finite numbers { dLoss, gLoss }", obs, "result", (v) => {
    const r = v as { dLoss?: unknown; gLoss?: unknown } | null;
    const ok = typeof r?.dLoss === "number" && typeof r?.gLoss === "number";
    return verdict(ok, `got ${JSON.stringify(v)?.slice(0, 200)}`, `got ${JSON.stringify(v)}`);
  });
  if (!result.passed) return [result];
  const { dLoss, gLoss } = (obs.result as { value: { dLoss: number; gLoss: number } }).value;
  const ref = replayStep();
  const outcomes = [
    result,
    judged(
      "dLoss is the discriminator loss on real and fake samples",
      obs,
      "result",
      () => close(dLoss, ref.dLoss, 1e-4),
    ),
    judged(
      "the discriminator takes exactly one update on real + fake",
      obs,
      "discriminator",
      (v) => {
        const diff = maxDifference(asWeights(v, ref.dAfter), ref.dAfter);
        return verdict(
          diff < 1e-4,
          `D's weights differ from one SGD step on dLoss by up to ${
            diff.toPrecision(3)
          }: update D ` +
            `once per step with only D's variables (the G update must not change D: pass G's ` +
            `variables to minimize)`,
          "matches the reference update",
        );
      },
    ),
    judged("the generator takes exactly one update on the G loss", obs, "generator", (v) => {
      const g1 = asWeights(v, ref.gAfter);
      const diff = Math.min(maxDifference(g1, ref.gAfter), maxDifference(g1, ref.gBefore));
      const ok = diff < 1e-4 &&
        (close(gLoss, ref.gLossAfter).passed || close(gLoss, ref.gLossBefore).passed);
      return verdict(
        ok,
        `G's weights differ from one SGD step on the non-saturating loss by up to ` +
          `${diff.toPrecision(3)} (gLoss ${gLoss}, expected ${ref.gLossAfter.toPrecision(6)}): ` +
          `update only G's variables, with the same noise`,
        "matches the reference update",
      );
    }),
  ];
  return [...outcomes, leakCheck(obs, outcomes[2].passed, "step")];
}

/** Share of the samples a mode must hold to count as reached (1/8 when spread evenly). */
const MODE_SHARE = 0.05;
/** Modes of the 8 that must hold {@linkcode MODE_SHARE} of the samples: a generator collapsed onto
 * one mode (or a few) fails, however close its samples sit to that mode. */
const MODES_NEEDED = 6;

function judgeTraining(obs: Observations): CheckOutcome[] {
  const { steps } = HW1_TRAINING;
  const generator = trainingGenerator();
  const noise = tf.randomNormal([1000, 2], 0, 1, "float32", 99);
  const measure = () => tf.tidy(() => meanModeDistance(generator.predict(noise) as tf.Tensor2D));
  try {
    const outcomes = judgeTrainedGenerator(obs, {
      generator,
      finiteName: `losses stay finite for ${steps} steps`,
      qualityName: `${steps} steps bring samples onto the ring's modes (mean distance to nearest ` +
        `mode)`,
      measure,
      quality(before) {
        const after = measure();
        return {
          passed: after < 0.5 * before,
          detail: `from ${before.toFixed(3)} to ${after.toFixed(3)}; it must fall below half ` +
            `the start (${(0.5 * before).toFixed(3)})`,
        };
      },
    });
    // The reference reaches all 8 modes with 11-15 % of the samples each after these steps; a
    // generator that ignores its noise collapses onto one mode (100 %) and fails.
    const spread = judged(
      `the samples spread over the modes (at least ${MODES_NEEDED} of 8 hold ${
        100 * MODE_SHARE
      } % each)`,
      obs,
      "generator",
      (v) => {
        if (!outcomes[1].passed && /never changed|NaN|shapes/.test(outcomes[1].detail)) {
          return verdict(false, "not checked: the trained weights are unusable");
        }
        restore(generator, asWeights(v, snapshot(generator)));
        const shares = tf.tidy(() => nearestModeShares(generator.predict(noise) as tf.Tensor2D));
        const reached = shares.filter((s) => s >= MODE_SHARE).length;
        const detail = `${reached} of 8 modes hold ${100 * MODE_SHARE} % of 1000 samples or ` +
          `more (shares ${shares.map((s) => (100 * s).toFixed(0)).join("/")} %)`;
        return verdict(
          reached >= MODES_NEEDED,
          `${detail}: the generator collapsed onto a few modes; G must map different noise to ` +
            `different points (use batch.noise as it is, for every sample)`,
          detail,
        );
      },
    );
    return [...outcomes, spread];
  } finally {
    noise.dispose();
    generator.dispose();
  }
}

/** The runs the starter logs that the report's experiments table must quote. */
export const HW1_RUNS = ["toy ring", "DCGAN on MNIST"];

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
      judge: judgeDiscriminatorLoss,
    },
    {
      id: "generatorLoss",
      title: "generatorLoss: non-saturating, on logits",
      points: 3,
      cells: ["dcganLosses"],
      timeoutS: 30,
      judge: judgeGeneratorLoss,
    },
    {
      id: "trainStep",
      title: "trainStep: one D update on real + fake, one G update",
      points: 4,
      cells: ["trainStep"],
      timeoutS: 40,
      judge: judgeTrainStep,
    },
    {
      id: "training",
      title: "a 300-step toy GAN with your trainStep learns the ring",
      points: 2,
      cells: ["trainStep"],
      timeoutS: 90,
      judge: judgeTraining,
    },
    ...reportItems({
      requiredRuns: HW1_RUNS,
      minRuns: 3,
      experimentsTitle:
        "report: experiments (the toy ring, the DCGAN, a run of your own) with the logged numbers",
    }),
  ],
};
