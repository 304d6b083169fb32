/**
 * The homework report's experiment on the latent's spread: an ACGAN trained with
 * `z ~ N(0, sigma^2 I)` instead of `N(0, I)`. It is {@linkcode createAcgan} with every latent draw of
 * the training step scaled by `latentSigma`, and sample grids drawn at the same sigma.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { cyclingTagGroups } from "../data/tag_cycles.ts";
import { type StepRandom, stepRandom } from "../core/random.ts";
import type { ImageVariant } from "./sampling_variant.ts";
import { type AcganOptions, createAcgan } from "./acgan.ts";

/** Options of {@linkcode createAcganWithSigma}. */
export interface AcganSigmaOptions extends AcganOptions {
  /** Standard deviation of the latent `z` during training and sampling. Default 1. */
  latentSigma?: number;
}

/**
 * A step's random source whose latent draws (normal draws of shape `[n, latentDim]`) have standard
 * deviation `sigma`; every other draw is left as it is.
 */
function scaledLatents(random: StepRandom, latentDim: number, sigma: number): StepRandom {
  return {
    ...random,
    normal: (shape, mean = 0, std = 1) =>
      random.normal(
        shape,
        mean,
        shape.length === 2 && shape[1] === latentDim ? std * sigma : std,
      ),
  };
}

/**
 * Create an ACGAN (see {@linkcode createAcgan} for every option) whose latent is drawn from
 * `N(0, latentSigma^2 I)` in training, as in the homework report's sigma table. `sample()` draws
 * `z` at the same sigma, with the tags of `cyclingTagGroups()` (lib/data/tag_cycles.ts).
 *
 * @example Training at sigma 0.5 draws latents half as spread as at sigma 1
 * ```ts
 * import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
 * import { createAcganWithSigma } from "./acgan_sigma.ts";
 *
 * const variant = createAcganWithSigma({ width: 0.0625, tagGroups: [3, 2], latentSigma: 0.5 });
 * assertEquals(variant.sample(6, 0).shape, [6, 28, 28, 1]);
 * assertEquals(variant.blueprint!.variant, "acgan_sigma");
 * variant.dispose();
 * throws(() => createAcganWithSigma({ latentSigma: 0 }), /latentSigma must be a positive number/);
 * ```
 */
export function createAcganWithSigma(options: AcganSigmaOptions = {}): ImageVariant {
  const { latentSigma = 1, ...acganOptions } = options;
  if (!(Number.isFinite(latentSigma) && latentSigma > 0)) {
    throw new Error(
      `Cannot create variant acgan: latentSigma must be a positive number (the standard ` +
        `deviation of z; 1 is the usual N(0, 1)), got ${latentSigma}`,
    );
  }
  const inner = createAcgan(acganOptions);
  const latentDim = inner.latentDim;
  const tagGroups = acganOptions.tagGroups ?? [10];
  return {
    ...inner,
    blueprint: { variant: "acgan_sigma", options: { ...options } },
    trainStep: (batch, context) =>
      inner.trainStep(batch, {
        ...context,
        random: scaledLatents(context.random, latentDim, latentSigma),
        shards: context.shards?.map((shard) => ({
          ...shard,
          random: scaledLatents(shard.random, latentDim, latentSigma),
        })),
      }),
    sample(count, seed) {
      return tf.tidy(() => {
        const z = stepRandom(seed, 0).normal([count, latentDim], 0, latentSigma);
        const tags = cyclingTagGroups(count, tagGroups);
        return inner.models.generator.predict([z, tags]) as tf.Tensor4D;
      });
    },
  };
}
