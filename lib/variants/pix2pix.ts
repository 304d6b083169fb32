/**
 * pix2pix (Isola, Zhu, Zhou & Efros 2017): paired image-to-image translation. A U-Net generator G
 * maps an input image x to an output; a conditional PatchGAN D judges (x, y) pairs patch by patch.
 * G minimises the conditional GAN loss plus lambda times the L1 distance to the known target y:
 *
 *   L_G = ganWeight * BCE(D(x, G(x)), 1) + lambda * mean|y - G(x)|
 *   L_D = (BCE(D(x, y), 1) + BCE(D(x, G(x)), 0)) / 2
 *
 * with every BCE averaged over the grid of patch logits, lambda = 100 and Adam 2e-4 / beta1 0.5 as
 * in the paper (D's loss is halved "to slow down the rate at which D learns relative to G").
 * `ganWeight: 0` trains G on the L1 term alone (no D update), the paper's "L1 only" baseline.
 * Batches carry `inputImages` (x) and `realImages` (the targets y), paired.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { bceWithLogits } from "../losses.ts";
import { discriminatorLoss } from "./objectives.ts";
import { buildConditionalPatchDiscriminator } from "../models/patchgan.ts";
import { buildUnetGenerator } from "../models/unet.ts";
import { optimizeWithNorm } from "../train/gradients.ts";
import type { GanVariant, StepLogs } from "../train/variant.ts";
import { IMAGE_VARIANT_DEFAULTS, type VariantOptions } from "./image_options.ts";

/** Options of {@linkcode createPix2pix}. */
export interface Pix2pixOptions extends Omit<VariantOptions, "latentDim"> {
  /** Input image shape `[height, width, channels]`. Default `[28, 28, 1]` (`imageShape` is the same). */
  imageShape?: [number, number, number];
  /** Channels of the output images. Default: the input's. */
  outputChannels?: number;
  /** Weight of the L1 term (lambda). Default 100 (the paper's). */
  lambdaL1?: number;
  /** Weight of the adversarial term; 0 trains G on L1 alone and never updates D. Default 1. */
  ganWeight?: number;
  /** Stride-2 layers of the PatchGAN (3 = the paper's 70x70 patches). Default 1 (16x16 patches). */
  patchLayers?: number;
  /** U-Net depth. Default: as deep as the image size allows (2 at 28x28). */
  depth?: number;
  /** Dropout in the U-Net's innermost decoder levels (the paper's 0.5). Default 0. */
  dropout?: number;
  /** The U-Net's skip connections; `false` gives a plain encoder-decoder. Default `true`. */
  skipConnections?: boolean;
  /** Adam learning rate of both models. Default 2e-4. */
  learningRate?: number;
  /** Input images `[n, h, w, c]` that sample grids translate (kept, not disposed). */
  sampleInputs?: tf.Tensor;
  /** Their targets, shown under the translations when given (kept, not disposed). */
  sampleTargets?: tf.Tensor;
}

/**
 * pix2pix's generator loss: the non-saturating conditional GAN term on D's patch logits for
 * G's outputs, weighted by `ganWeight`, plus `lambdaL1` times the mean absolute error to the
 * targets. Returns the total and both parts (new scalars; dispose them, or call inside a tidy).
 *
 * @example Against a hand computation: patch logits 0 give log 2, |0.5 - 0| + |-1 - (-0.5)| = 1 over 2 pixels
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { pix2pixGeneratorLoss } from "./pix2pix.ts";
 * import { ok } from "node:assert/strict";
 * const { total, gan, l1 } = pix2pixGeneratorLoss(
 *   tf.zeros([1, 2, 2, 1]), tf.tensor4d([0, -0.5], [1, 1, 2, 1]), tf.tensor4d([0.5, -1], [1, 1, 2, 1]),
 *   { lambdaL1: 100 },
 * );
 * ok(Math.abs(gan.dataSync()[0] - Math.LN2) < 1e-6);
 * ok(Math.abs(l1.dataSync()[0] - 0.5) < 1e-6);
 * ok(Math.abs(total.dataSync()[0] - (Math.LN2 + 50)) < 1e-4);
 * ```
 */
export function pix2pixGeneratorLoss(
  fakeLogits: tf.Tensor,
  fakeImages: tf.Tensor,
  targets: tf.Tensor,
  options: { lambdaL1?: number; ganWeight?: number } = {},
): { total: tf.Scalar; gan: tf.Scalar; l1: tf.Scalar } {
  const { lambdaL1 = 100, ganWeight = 1 } = options;
  if (fakeImages.shape.join() !== targets.shape.join()) {
    throw new Error(
      `Cannot compute the pix2pix loss: outputs [${fakeImages.shape}] and targets ` +
        `[${targets.shape}] must have the same shape`,
    );
  }
  return tf.tidy(() => {
    const gan = bceWithLogits(fakeLogits, 1).mean() as tf.Scalar;
    const l1 = fakeImages.sub(targets).abs().mean() as tf.Scalar;
    const total = gan.mul(ganWeight).add(l1.mul(lambdaL1)) as tf.Scalar;
    return { total, gan, l1 };
  });
}

/**
 * pix2pix's discriminator loss: BCE of D's patch logits on real pairs against 1 and on generated
 * pairs against 0, each averaged over the grid, summed and halved (the paper's slower D).
 *
 * @example Logits 0 everywhere: (log 2 + log 2) / 2
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { pix2pixDiscriminatorLoss } from "./pix2pix.ts";
 * import { ok } from "node:assert/strict";
 * const loss = pix2pixDiscriminatorLoss(tf.zeros([2, 14, 14, 1]), tf.zeros([2, 14, 14, 1]));
 * ok(Math.abs(loss.dataSync()[0] - Math.LN2) < 1e-6);
 * ```
 */
export function pix2pixDiscriminatorLoss(realLogits: tf.Tensor, fakeLogits: tf.Tensor): tf.Scalar {
  return tf.tidy(() => discriminatorLoss(realLogits, fakeLogits).mul(0.5) as tf.Scalar);
}

/**
 * Create a pix2pix variant (U-Net G, conditional PatchGAN D). `sample(count)` returns the first
 * `count` of `sampleInputs`, their translations and, when given, `sampleTargets`, stacked in rows.
 * Logged per step: `dLoss`, `gLoss` (the total), `gGan`, `l1` and the gradient norms.
 *
 * @example Two models, and one step logs the L1 term
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { createPix2pix } from "./pix2pix.ts";
 * import { stepRandom } from "../core/random.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const variant = createPix2pix({ width: 0.125, seed: 1 });
 * assertEquals(Object.keys(variant.models), ["generator", "discriminator"]);
 * const batch = { inputImages: tf.zeros([2, 28, 28, 1]), realImages: tf.ones([2, 28, 28, 1]) };
 * const logs = tf.tidy(() => {
 *   const scalars = variant.trainStep(batch, { step: 0, epoch: 0, random: stepRandom(0, 0) });
 *   return Object.keys(scalars).sort();
 * });
 * assertEquals(logs, ["dGradNorm", "dLoss", "gGan", "gGradNorm", "gLoss", "l1"]);
 * variant.dispose();
 * ```
 */
export function createPix2pix(options: Pix2pixOptions = {}): GanVariant {
  const o = {
    imageShape: IMAGE_VARIANT_DEFAULTS.imageShape,
    width: IMAGE_VARIANT_DEFAULTS.width,
    lambdaL1: 100,
    ganWeight: 1,
    patchLayers: 1,
    dropout: 0,
    learningRate: 2e-4,
    ...options,
  };
  for (const key of ["lambdaL1", "ganWeight"] as const) {
    if (!(o[key] >= 0 && Number.isFinite(o[key]))) {
      throw new Error(`Cannot create pix2pix: ${key} must be a number >= 0, got ${o[key]}`);
    }
  }
  if (o.lambdaL1 === 0 && o.ganWeight === 0) {
    throw new Error(
      "Cannot create pix2pix: lambdaL1 and ganWeight are both 0; G would learn nothing",
    );
  }
  const seedPlus = (k: number) => o.seed === undefined ? undefined : o.seed + k;
  const generator = buildUnetGenerator({
    imageShape: o.imageShape,
    outputChannels: o.outputChannels,
    width: o.width,
    depth: o.depth,
    dropout: o.dropout,
    skipConnections: o.skipConnections,
    seed: o.seed,
    name: "generator",
  });
  const discriminator = buildConditionalPatchDiscriminator({
    inputShape: o.imageShape,
    outputChannels: o.outputChannels,
    width: o.width,
    nLayers: o.patchLayers,
    seed: seedPlus(1),
    name: "discriminator",
  });
  const optimizers = {
    generator: tf.train.adam(o.learningRate, 0.5, 0.999),
    discriminator: tf.train.adam(o.learningRate, 0.5, 0.999),
  };
  const run = (model: tf.LayersModel, x: tf.Tensor | tf.Tensor[]) =>
    model.apply(x, { training: true }) as tf.Tensor;
  const adversarial = o.ganWeight > 0;
  return {
    name: "pix2pix",
    models: { generator, discriminator },
    optimizers,
    // Workers rebuild the models from plain options: the sample tensors stay on the main thread.
    blueprint: {
      variant: "pix2pix",
      options: { ...options, sampleInputs: undefined, sampleTargets: undefined },
    },
    trainStep(batch): StepLogs {
      const { inputImages, realImages } = batch;
      if (!inputImages || !realImages) {
        throw new Error(
          "Cannot train pix2pix: batches need inputImages and realImages (the paired targets)",
        );
      }
      const logs: StepLogs = {};
      if (adversarial) {
        const fakeImages = run(generator, inputImages);
        const d = optimizeWithNorm(optimizers.discriminator, () =>
          pix2pixDiscriminatorLoss(
            run(discriminator, [inputImages, realImages]),
            run(discriminator, [inputImages, fakeImages]),
          ), discriminator);
        logs.dLoss = d.loss;
        logs.dGradNorm = d.gradNorm;
      }
      let parts: { gan: tf.Scalar; l1: tf.Scalar } | undefined;
      const g = optimizeWithNorm(optimizers.generator, () => {
        const fakeImages = run(generator, inputImages);
        const fakeLogits = adversarial
          ? run(discriminator, [inputImages, fakeImages])
          : tf.zeros([fakeImages.shape[0], 1]);
        const loss = pix2pixGeneratorLoss(fakeLogits, fakeImages, realImages, o);
        parts = { gan: tf.keep(loss.gan), l1: tf.keep(loss.l1) };
        return loss.total;
      }, generator);
      logs.gLoss = g.loss;
      logs.gGradNorm = g.gradNorm;
      if (adversarial) logs.gGan = parts!.gan;
      else parts!.gan.dispose();
      logs.l1 = parts!.l1;
      return logs;
    },
    sample: o.sampleInputs
      ? (count) =>
        tf.tidy(() => {
          const n = Math.min(count, o.sampleInputs!.shape[0]);
          const inputs = o.sampleInputs!.slice(0, n);
          const outputs = generator.predict(inputs) as tf.Tensor;
          const rows = [inputs, outputs];
          if (o.sampleTargets) rows.push(o.sampleTargets.slice(0, n));
          return tf.concat(rows, 0);
        })
      : undefined,
    guardDefaults: { dLossCollapse: false },
    dispose() {
      generator.dispose();
      discriminator.dispose();
      optimizers.generator.dispose();
      optimizers.discriminator.dispose();
    },
  };
}
