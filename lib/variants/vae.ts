/**
 * A convolutional VAE as a variant of the shared training loop, so that it trains with the same
 * batches, callbacks and checkpoints as the GANs it is compared with. Its decoder is the DCGAN
 * generator; one Adam optimizer (`vae`) updates encoder and decoder together on the negative ELBO.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { buildVaeDecoder, buildVaeEncoder } from "../models/vae.ts";
import { optimizeWithNorm } from "../train/gradients.ts";
import { stepRandom } from "../core/random.ts";
import type { GanVariant, StepLogs } from "../train/variant.ts";
import { gaussianKl, gaussianReconstructionLoss, reparameterize } from "../vae_loss.ts";
import type { VariantOptions } from "./image_options.ts";

/** Options of {@linkcode createVae}. */
export interface VaeOptions extends VariantOptions {
  /** Adam's learning rate (beta1 0.9). Default 1e-3. */
  learningRate?: number;
  /** Standard deviation of the decoder's Gaussian per pixel, in [-1, 1] units. Default 0.5. */
  pixelStd?: number;
  /** Weight of the KL term (1 is the ELBO; beta-VAE uses more). Default 1. */
  klWeight?: number;
}

/**
 * Reconstruct images through the VAE with the posterior means (no sampling): x -> mean of
 * q(z | x) -> decoder. Images `[n, ...imageShape]` in [-1, 1] in and out.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { buildVaeDecoder, buildVaeEncoder } from "../models/vae.ts";
 * import { reconstruct } from "./vae.ts";
 * const encoder = buildVaeEncoder({ latentDim: 4, width: 0.125 });
 * const decoder = buildVaeDecoder({ latentDim: 4, width: 0.125 });
 * assertEquals(reconstruct(encoder, decoder, tf.zeros([2, 28, 28, 1])).shape, [2, 28, 28, 1]);
 * [encoder, decoder].forEach((m) => m.dispose());
 * ```
 */
export function reconstruct(
  encoder: tf.LayersModel,
  decoder: tf.LayersModel,
  images: tf.Tensor,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [mean] = encoder.predict(images) as tf.Tensor[];
    return decoder.predict(mean) as tf.Tensor4D;
  });
}

/**
 * Create a VAE variant: models `encoder` and `decoder`, one optimizer `vae`. Each step logs the
 * loss (the negative ELBO with the KL weighted by `klWeight`), its `reconstruction` and `kl` terms
 * and the gradient norm; `sample` decodes z ~ N(0, I).
 *
 * @example One step on blank digits, then samples from the prior
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { createVae } from "./vae.ts";
 * import { stepRandom } from "../core/random.ts";
 * const variant = createVae({ width: 0.125, latentDim: 4, seed: 1 });
 * const realImages = tf.fill([4, 28, 28, 1], -1);
 * const logs = variant.trainStep({ realImages }, { step: 0, epoch: 0, random: stepRandom(1, 0) });
 * assertEquals(Object.keys(logs), ["loss", "reconstruction", "kl", "vaeGradNorm"]);
 * assertEquals(variant.sample!(3, 0).shape, [3, 28, 28, 1]);
 * variant.dispose();
 * ```
 */
export function createVae(options: VaeOptions = {}): GanVariant {
  const o = {
    imageShape: [28, 28, 1] as [number, number, number],
    width: 1,
    latentDim: 32,
    learningRate: 1e-3,
    pixelStd: 0.5,
    klWeight: 1,
    // options given as undefined (unset CLI flags) keep their defaults
    ...(Object.fromEntries(
      Object.entries(options).filter(([, v]) => v !== undefined),
    ) as VaeOptions),
  };
  if (!(o.learningRate > 0) || !(o.klWeight >= 0) || !(o.pixelStd > 0)) {
    throw new Error(
      `Cannot create variant vae: learningRate and pixelStd must be positive and klWeight >= 0, ` +
        `got ${o.learningRate}, ${o.pixelStd} and ${o.klWeight}`,
    );
  }
  const sizes = { latentDim: o.latentDim, imageShape: o.imageShape, width: o.width };
  const encoder = buildVaeEncoder({ ...sizes, seed: o.seed });
  const decoder = buildVaeDecoder({
    ...sizes,
    seed: o.seed === undefined ? undefined : o.seed + 1,
  });
  const optimizer = tf.train.adam(o.learningRate);
  const variables = () =>
    [...encoder.trainableWeights, ...decoder.trainableWeights].map((w) => w.read() as tf.Variable);
  return {
    name: "vae",
    models: { encoder, decoder },
    optimizers: { vae: optimizer },
    latentDim: o.latentDim,
    // Per-image sums over 784 pixels make gradient norms in the thousands without anything wrong.
    guardDefaults: { maxGradNorm: 1e6 },
    blueprint: { variant: "vae", options: { ...options } },
    trainStep(batch, { random }): StepLogs {
      const x = batch.realImages;
      const noise = random.normal([x.shape[0], o.latentDim]);
      let reconstruction: tf.Scalar | undefined;
      let kl: tf.Scalar | undefined;
      const step = optimizeWithNorm(optimizer, () => {
        const [mean, logVar] = encoder.apply(x, { training: true }) as tf.Tensor[];
        const z = reparameterize(mean, logVar, noise);
        const xHat = decoder.apply(z, { training: true }) as tf.Tensor;
        // variableGrads disposes what the loss function makes; keep the terms to log them.
        reconstruction = tf.keep(gaussianReconstructionLoss(x, xHat, o.pixelStd));
        kl = tf.keep(gaussianKl(mean, logVar));
        return reconstruction.add(kl.mul(o.klWeight)) as tf.Scalar;
      }, variables());
      return {
        loss: step.loss,
        reconstruction: reconstruction!,
        kl: kl!,
        vaeGradNorm: step.gradNorm,
      };
    },
    sample(count, seed) {
      return tf.tidy(() =>
        decoder.predict(stepRandom(seed, 0).normal([count, o.latentDim])) as tf.Tensor
      );
    },
    dispose() {
      encoder.dispose();
      decoder.dispose();
      optimizer.dispose();
    },
  };
}
