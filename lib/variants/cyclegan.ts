/**
 * CycleGAN (Zhu et al. 2017): two ResNet generators (A -> B and B -> A), two PatchGAN
 * discriminators, least-squares adversarial losses, cycle-consistency (lambda 10) and identity
 * (lambda 5) L1 losses, a pool of 50 earlier fakes for the discriminators, Adam 2e-4 / beta1 0.5.
 * Batches carry `domainA` and `domainB` (unpaired: batch them with `{ unpaired: true }`).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  cycleLoss,
  identityLoss,
  leastSquaresDiscriminatorLoss,
  leastSquaresGeneratorLoss,
} from "../losses.ts";
import {
  buildPatchDiscriminator,
  buildResnetGenerator,
  ImagePool,
} from "../models/resnet_patchgan.ts";
import { optimizeWithNorm } from "../train/gradients.ts";
import type { GanVariant, StepLogs } from "../train/variant.ts";
import { OPTIMIZER_PRESETS } from "./adversarial.ts";
import { IMAGE_VARIANT_DEFAULTS, type VariantOptions } from "./image_options.ts";

/** Options of {@linkcode createCyclegan}. */
export interface CycleganOptions extends Omit<VariantOptions, "latentDim"> {
  /** Residual blocks of each generator. Default 6. */
  nBlocks?: number;
  /** Cycle-consistency weight. Default 10. */
  lambdaCycle?: number;
  /** Identity weight. Default 5 (half the cycle weight, as in the paper). */
  lambdaIdentity?: number;
  /** Fake-image pool size (0 = none). Default 50. */
  poolSize?: number;
  /** Domain-A images `[n, h, w, c]` that sample grids translate (kept, not disposed). */
  sampleImages?: tf.Tensor;
}

/**
 * Create a CycleGAN variant. `sample(count)` returns the first `count` of `sampleImages` followed by
 * their translations to domain B.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { createCyclegan } from "./cyclegan.ts";
 * const variant = createCyclegan({ width: 0.125, nBlocks: 1 });
 * assertEquals(Object.keys(variant.models).length, 4);
 * variant.dispose();
 * ```
 */
export function createCyclegan(options: CycleganOptions = {}): GanVariant {
  const o = {
    ...IMAGE_VARIANT_DEFAULTS,
    nBlocks: 6,
    lambdaCycle: 10,
    lambdaIdentity: 5,
    poolSize: 50,
    ...options,
  };
  const seedPlus = (k: number) => o.seed === undefined ? undefined : o.seed + k;
  const g = (name: string, k: number) =>
    buildResnetGenerator({
      imageShape: o.imageShape,
      width: o.width,
      nBlocks: o.nBlocks,
      seed: seedPlus(k),
      name,
    });
  const d = (name: string, k: number) =>
    buildPatchDiscriminator({ imageShape: o.imageShape, width: o.width, seed: seedPlus(k), name });
  const models = {
    generatorAB: g("generator_ab", 0),
    generatorBA: g("generator_ba", 1),
    discriminatorA: d("discriminator_a", 2),
    discriminatorB: d("discriminator_b", 3),
  };
  const optimizers = {
    generators: OPTIMIZER_PRESETS.dcgan(),
    discriminators: OPTIMIZER_PRESETS.dcgan(),
  };
  const poolA = new ImagePool({ size: o.poolSize, seed: seedPlus(4) ?? 0 });
  const poolB = new ImagePool({ size: o.poolSize, seed: seedPlus(5) ?? 0 });
  const run = (model: tf.LayersModel, x: tf.Tensor) =>
    model.apply(x, { training: true }) as tf.Tensor;
  const vars = (...ms: tf.LayersModel[]) =>
    ms.flatMap((m) => m.trainableWeights.map((w) => w.read() as tf.Variable));
  return {
    name: "cyclegan",
    models,
    optimizers,
    blueprint: { variant: "cyclegan", options: { ...options } },
    // The image pools hold fakes of whole batches: a step is not split between shards.
    splitsIntoShards: false,
    trainStep(batch, context): StepLogs {
      const { domainA: realA, domainB: realB } = batch;
      if (!realA || !realB) {
        throw new Error("Cannot train cyclegan: batches need domainA and domainB images");
      }
      const gen = optimizeWithNorm(
        optimizers.generators,
        () => {
          const fakeB = run(models.generatorAB, realA);
          const fakeA = run(models.generatorBA, realB);
          const adversarial = leastSquaresGeneratorLoss(run(models.discriminatorB, fakeB))
            .add(leastSquaresGeneratorLoss(run(models.discriminatorA, fakeA)));
          const cycle = cycleLoss(realA, run(models.generatorBA, fakeB), o.lambdaCycle)
            .add(cycleLoss(realB, run(models.generatorAB, fakeA), o.lambdaCycle));
          const identity = o.lambdaIdentity > 0
            ? identityLoss(realB, run(models.generatorAB, realB), o.lambdaIdentity)
              .add(identityLoss(realA, run(models.generatorBA, realA), o.lambdaIdentity))
            : tf.scalar(0);
          return adversarial.add(cycle).add(identity) as tf.Scalar;
        },
        vars(models.generatorAB, models.generatorBA),
        context,
      );
      // The discriminators see fakes from the updated generators, mixed with older ones.
      const fakeB = poolB.query(models.generatorAB.apply(realA) as tf.Tensor);
      const fakeA = poolA.query(models.generatorBA.apply(realB) as tf.Tensor);
      const dis = optimizeWithNorm(
        optimizers.discriminators,
        () =>
          leastSquaresDiscriminatorLoss(
            run(models.discriminatorA, realA),
            run(models.discriminatorA, fakeA),
          ).add(
            leastSquaresDiscriminatorLoss(
              run(models.discriminatorB, realB),
              run(models.discriminatorB, fakeB),
            ),
          ).mul(0.5) as tf.Scalar,
        vars(models.discriminatorA, models.discriminatorB),
        context,
      );
      return { dLoss: dis.loss, gLoss: gen.loss, dGradNorm: dis.gradNorm, gGradNorm: gen.gradNorm };
    },
    sample: o.sampleImages
      ? (count) =>
        tf.tidy(() => {
          const realA = o.sampleImages!.slice(0, Math.min(count, o.sampleImages!.shape[0]));
          return tf.concat([realA, models.generatorAB.predict(realA) as tf.Tensor], 0);
        })
      : undefined,
    guardDefaults: { dLossCollapse: false },
    saveState() {
      const a = poolA.state();
      const b = poolB.state();
      const tensors: Record<string, tf.Tensor> = {};
      if (a.images) tensors.poolA = a.images;
      if (b.images) tensors.poolB = b.images;
      return { tensors, values: { poolADraws: a.draws, poolBDraws: b.draws } };
    },
    loadState({ tensors, values }) {
      poolA.restore(tensors.poolA, Number(values.poolADraws ?? 0));
      poolB.restore(tensors.poolB, Number(values.poolBDraws ?? 0));
    },
    dispose() {
      Object.values(models).forEach((m) => m.dispose());
      Object.values(optimizers).forEach((m) => m.dispose());
      poolA.dispose();
      poolB.dispose();
    },
  };
}
