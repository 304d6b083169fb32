/**
 * The shared step of the generator-vs-discriminator variants (DCGAN, LSGAN, WGAN, WGAN-GP, cGAN and
 * their toy versions): `nCritic` discriminator/critic updates, then `gSteps` generator updates, with
 * the losses, hooks (weight clipping) and penalty (gradient penalty) the variant chooses.
 *
 * Every critic update reuses the step's real batch with a fresh latent batch (as the keras-io
 * WGAN-GP example does), so one loop step = one batch of data = one "generator iteration".
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Batch } from "../train/batches.ts";
import { optimizeWithNorm, type Shard } from "../train/gradients.ts";
import type { GuardOptions } from "../train/guards.ts";
import { type StepRandom, stepRandom } from "../core/random.ts";
import type { StepLogs } from "../train/variant.ts";
import type { SamplingVariant } from "./sampling_variant.ts";

/** Optimizer settings of the papers, as factories (each call makes a fresh optimizer). */
export const OPTIMIZER_PRESETS = {
  /** DCGAN: Adam, learning rate 2e-4, beta1 0.5 (also the homework report's ACGAN). */
  dcgan: (): tf.Optimizer => tf.train.adam(2e-4, 0.5, 0.999),
  /** WGAN: RMSProp, learning rate 5e-5. */
  wgan: (): tf.Optimizer => tf.train.rmsprop(5e-5),
  /** WGAN-GP: Adam, learning rate 1e-4, betas (0, 0.9). */
  wganGp: (): tf.Optimizer => tf.train.adam(1e-4, 0, 0.9),
} as const;

/** What {@linkcode adversarialVariant} needs. */
export interface AdversarialSpec {
  /** Registry name. */
  name: string;
  /** `[z]` or `[z, condition]` -> samples. */
  generator: tf.LayersModel;
  /** `[x]` or `[x, condition]` -> logits/scores `[batch, 1]`. */
  discriminator: tf.LayersModel;
  /** Size of z. */
  latentDim: number;
  /** Optimizers of both models. */
  optimizers: { generator: tf.Optimizer; discriminator: tf.Optimizer };
  /** D's loss from its outputs on real and fake samples. */
  dLoss(realLogits: tf.Tensor, fakeLogits: tf.Tensor): tf.Scalar;
  /** G's loss from D's outputs on fake samples. */
  gLoss(fakeLogits: tf.Tensor): tf.Scalar;
  /** D updates per step (5 for WGAN, 5 or 4 for WGAN-GP). Default 1. */
  nCritic?: number;
  /** G updates per step (2 for the homework report's 1:2). Default 1. */
  gSteps?: number;
  /**
   * A penalty added to D's loss, e.g. the gradient penalty; `critic` maps samples to scores with the
   * batch's condition bound; `condition` is that condition itself (conditional variants). Logged as
   * `penalty`.
   */
  penalty?(
    critic: (x: tf.Tensor) => tf.Tensor,
    realImages: tf.Tensor,
    fakeImages: tf.Tensor,
    random: StepRandom,
    condition?: tf.Tensor,
  ): tf.Scalar;
  /** Run after every D update (weight clipping). */
  afterCriticUpdate?(): void;
  /** The condition input of a batch (one-hot labels), for conditional variants. */
  condition?(batch: Batch): tf.Tensor;
  /** The condition of `count` fixed samples (one-hot labels cycling through the classes). */
  sampleCondition?(count: number): tf.Tensor;
  /** Guard defaults of the variant. */
  guardDefaults?: GuardOptions;
  /**
   * The options the variant's factory was called with: with `name` they are the variant's
   * blueprint, from which a data-parallel worker builds it again.
   */
  options?: object;
}

/**
 * Build a {@linkcode GanVariant} from models, losses and the D:G update ratio.
 *
 * @example A toy non-saturating GAN
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { buildMlpDiscriminator, buildMlpGenerator } from "../models/mlp.ts";
 * import { discriminatorLoss, nonSaturatingGeneratorLoss } from "@course/lib/variants/objectives";
 * import { adversarialVariant } from "./adversarial.ts";
 * const variant = adversarialVariant({
 *   name: "toy_gan",
 *   generator: buildMlpGenerator({ hidden: [8], seed: 1 }),
 *   discriminator: buildMlpDiscriminator({ hidden: [8], seed: 2 }),
 *   latentDim: 2,
 *   optimizers: { generator: tf.train.adam(1e-3), discriminator: tf.train.adam(1e-3) },
 *   dLoss: discriminatorLoss,
 *   gLoss: nonSaturatingGeneratorLoss,
 * });
 * assertEquals(Object.keys(variant.models), ["generator", "discriminator"]);
 * ```
 */
export function adversarialVariant<Samples extends tf.Tensor = tf.Tensor>(
  spec: AdversarialSpec,
): SamplingVariant<Samples> {
  const { generator, discriminator, latentDim, optimizers } = spec;
  const nCritic = spec.nCritic ?? 1;
  const gSteps = spec.gSteps ?? 1;
  for (const [key, value] of [["nCritic", nCritic], ["gSteps", gSteps]] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new Error(
        `Cannot create variant ${spec.name}: ${key} must be a positive integer, got ${value}`,
      );
    }
  }
  const inputs = (x: tf.Tensor, condition?: tf.Tensor) => condition ? [x, condition] : x;
  return {
    name: spec.name,
    models: { generator, discriminator },
    optimizers,
    latentDim,
    guardDefaults: spec.guardDefaults,
    blueprint: spec.options
      ? { variant: spec.name, options: { ...spec.options } as Record<string, unknown> }
      : undefined,
    trainStep(batch, context): StepLogs {
      const fullCondition = spec.condition?.(batch);
      // One shard of the batch (on one thread: the whole batch): its rows, critic and generator.
      const view = (shard: Shard) => {
        const realImages = shard.rows(batch.realImages);
        const condition = fullCondition && shard.rows(fullCondition);
        const critic = (x: tf.Tensor) =>
          discriminator.apply(inputs(x, condition), { training: true }) as tf.Tensor;
        const generate = (z: tf.Tensor) =>
          generator.apply(inputs(z, condition), { training: true }) as tf.Tensor;
        return { realImages, condition, n: realImages.shape[0], critic, generate };
      };
      const logs: StepLogs = {};
      // #region discriminatorUpdate
      for (let i = 0; i < nCritic; i++) {
        let penalty: tf.Scalar | undefined;
        const d = optimizeWithNorm(
          optimizers.discriminator,
          (shard) => {
            const { realImages, condition, n, critic, generate } = view(shard);
            const fakeImages = generate(shard.random.normal([n, latentDim]));
            let loss = spec.dLoss(critic(realImages), critic(fakeImages));
            if (spec.penalty) {
              // variableGrads disposes what the loss function makes; keep the penalty to log it
              // (the last shard's, when this thread computes several).
              penalty?.dispose();
              penalty = tf.keep(
                spec.penalty(critic, realImages, fakeImages, shard.random, condition),
              );
              loss = loss.add(penalty);
            }
            return loss;
          },
          discriminator,
          context,
        );
        spec.afterCriticUpdate?.();
        logs.dLoss = d.loss;
        logs.dGradNorm = d.gradNorm;
        if (penalty) {
          logs.penalty?.dispose(); // kept tensors escape tf.tidy
          logs.penalty = penalty;
        }
      }
      // #endregion
      // #region generatorUpdate
      for (let i = 0; i < gSteps; i++) {
        const g = optimizeWithNorm(
          optimizers.generator,
          (shard) => {
            const { n, critic, generate } = view(shard);
            return spec.gLoss(critic(generate(shard.random.normal([n, latentDim]))));
          },
          generator,
          context,
        );
        logs.gLoss = g.loss;
        logs.gGradNorm = g.gradNorm;
      }
      // #endregion
      return logs;
    },
    sample(count, seed) {
      return tf.tidy(() => {
        const z = stepRandom(seed, 0).normal([count, latentDim]);
        const condition = spec.sampleCondition?.(count);
        return generator.predict(inputs(z, condition)) as Samples;
      });
    },
    dispose() {
      generator.dispose();
      discriminator.dispose();
      optimizers.generator.dispose();
      optimizers.discriminator.dispose();
    },
  };
}
