/**
 * What a GAN variant gives the training loop: its models, its optimizers and one training step.
 *
 * The loop is the same for every variant (keras-io style): a variant differs only in its builders,
 * its losses and its `trainStep` (how many critic updates per generator update, which losses, which
 * hooks such as weight clipping).
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import type { ExtraState } from "../io/checkpoint.ts";
import type { Batch } from "./batches.ts";
import type { ReducerContext } from "./gradients.ts";
import type { GuardOptions } from "./guards.ts";
import type { StepRandom } from "../core/random.ts";

/**
 * What a step knows about where it is in the run, and what it passes on to every
 * `optimizeWithNorm` (its random source, and, in a data-parallel run, its shards and reducer).
 */
export interface StepContext extends ReducerContext {
  /** The global step being run, from 0 (one generator update per step). */
  step: number;
  /** The epoch being run, from 0. */
  epoch: number;
  /** Seeded random draws of this step (latents, gradient-penalty alphas, noise). */
  random: StepRandom;
}

/**
 * Scalars a step reports: losses (`dLoss`, `gLoss`, `gradientPenalty`, `cycleLoss`, ...) and global
 * gradient norms, named `<model>GradNorm` (`dGradNorm`, `gGradNorm`) so the guards find them.
 */
export type StepLogs = Record<string, tf.Scalar>;

/**
 * How to build a variant again from plain values: its name in the variant registry
 * (`VARIANT_FACTORIES` of `lib/variants/blueprint.ts`) and the options its factory was called
 * with. A data-parallel worker rebuilds the variant from it, then copies the weights over.
 */
export interface VariantBlueprint {
  /** Registry name, e.g. `"dcgan"` (usually the variant's `name`). */
  variant: string;
  /** The factory's options (tensors in them are left out when the blueprint crosses threads). */
  options: Record<string, unknown>;
}

/** A GAN variant: models, optimizers and the step the loop calls once per batch. */
export interface GanVariant {
  /** Registry name, e.g. `"wgan_gp"`; checked when a checkpoint is loaded. */
  name: string;
  /** Every model the step trains, by name (`generator`, `discriminator`, `critic`, ...). */
  models: Record<string, tf.LayersModel>;
  /** One optimizer per trained model, by the same names. */
  optimizers: Record<string, tf.Optimizer>;
  /** Size of the generator's latent input, when it has one. */
  latentDim?: number;
  /**
   * One training step on `batch` (critic/discriminator updates and one generator update). The loop
   * runs it inside `tf.tidy` and disposes the batch; return scalars, not numbers.
   */
  trainStep(batch: Batch, context: StepContext): StepLogs;
  /**
   * Generate `count` samples from a fixed latent batch: the same `seed` gives the same inputs, so
   * sample grids taken during training show the same latents evolving. Returns images
   * `[count, h, w, c]` in [-1, 1], or points `[count, 2]` for the toys.
   */
  sample?(count: number, seed: number): tf.Tensor;
  /**
   * The variant's own guard defaults, under the user's `guards` option (WGAN critics turn the
   * `dLossCollapse` guard off: a critic loss near 0 is no failure).
   */
  guardDefaults?: GuardOptions;
  /**
   * The variant's own training state beyond its models and optimizers (CycleGAN's image pools and
   * their random draws), saved in checkpoints so that a resumed run continues exactly: new tensors
   * (the checkpoint disposes them) and JSON values.
   */
  saveState?(): ExtraState;
  /** Restore what {@linkcode GanVariant.saveState} returned (copy the tensors you keep). */
  loadState?(state: ExtraState): void;
  /** How to build it again in a worker; needed by the data-parallel executor. */
  blueprint?: VariantBlueprint;
  /**
   * `false` when a step cannot be split into shards because it keeps state built from the whole
   * batch (CycleGAN's image pools): the data-parallel executor then runs every step whole, on one
   * thread, which is the same run on any machine. Default `true`.
   */
  splitsIntoShards?: boolean;
  /** Free the models and optimizers. */
  dispose(): void;
}
