/**
 * GAN inversion with an encoder (the INF5860 slides' recipe: "train a network to predict the
 * embedding of a generated image, use that network to find an embedding z, then optimise that z to
 * minimise the mean squared error"). An encoder E is trained with the generator G frozen on
 *
 *   L_E = latentWeight * mean((E(G(z)) - z)^2) + imageWeight * mean((G(E(x)) - x)^2)
 *
 * where z ~ N(0, I) (latent regression on G's own samples, whose latents are known) and x are real
 * training images (image reconstruction through G). One forward pass of E then inverts an image;
 * `invertGenerator(..., { initialLatents: E(x) })` refines that guess by optimisation.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { InversionResult } from "./inversion.ts";
import { optimizeWithNorm } from "./train/gradients.ts";
import type { GanVariant, StepLogs } from "./train/variant.ts";

/** Options of {@linkcode createEncoderTrainer}. */
export interface EncoderTrainerOptions {
  /** Weight of the latent regression on G's samples. Default 1. */
  latentWeight?: number;
  /** Weight of the pixel reconstruction of the batch's real images through G. Default 1. */
  imageWeight?: number;
  /** Adam learning rate (beta1 0.9). Default 1e-3. */
  learningRate?: number;
  /** Real images `[n, h, w, c]` whose reconstructions sample grids show (kept, not disposed). */
  sampleImages?: tf.Tensor4D;
}

/**
 * Train an encoder for a frozen generator with the course's `train()` loop: a "variant" whose only
 * trained model is `encoder`. Batches carry `realImages` (used by the image term; their count sets
 * how many latents the latent term draws). Logs `eLoss` (the total), `latentLoss`, `imageLoss` and
 * `eGradNorm`. `sample(count)` shows `sampleImages` over their reconstructions G(E(x)).
 * `dispose()` frees the optimizer only: the encoder and generator belong to the caller.
 *
 * @example One step changes the encoder, never the generator
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { buildDcganGenerator } from "./models/dcgan_nets.ts";
 * import { buildEncoder } from "./models/encoder.ts";
 * import { createEncoderTrainer } from "./inversion_encoder.ts";
 * import { stepRandom } from "./core/random.ts";
 * import { deepStrictEqual as assertEquals, notDeepStrictEqual } from "node:assert/strict";
 * const generator = buildDcganGenerator({ width: 0.125, seed: 1 });
 * const encoder = buildEncoder({ width: 0.125, seed: 2 });
 * const trainer = createEncoderTrainer(generator, encoder);
 * const [g0, e0] = [generator, encoder].map((m) => m.getWeights()[0].arraySync());
 * tf.tidy(() => {
 *   trainer.trainStep({ realImages: tf.zeros([4, 28, 28, 1]) }, { step: 0, epoch: 0, random: stepRandom(0, 0) });
 * });
 * assertEquals(generator.getWeights()[0].arraySync(), g0);
 * notDeepStrictEqual(encoder.getWeights()[0].arraySync(), e0);
 * trainer.dispose();
 * ```
 */
export function createEncoderTrainer(
  generator: tf.LayersModel,
  encoder: tf.LayersModel,
  options: EncoderTrainerOptions = {},
): GanVariant {
  const o = { latentWeight: 1, imageWeight: 1, learningRate: 1e-3, ...options };
  const latentDim = generator.inputs[0].shape[1];
  const encoded = encoder.outputs[0].shape[1];
  if (typeof latentDim !== "number" || encoded !== latentDim) {
    throw new Error(
      `Cannot create encoder trainer: the encoder predicts ${encoded} numbers, the generator ` +
        `takes latents of ${latentDim}; build it with buildEncoder({ latentDim: ${latentDim} })`,
    );
  }
  for (const key of ["latentWeight", "imageWeight"] as const) {
    if (!(o[key] >= 0 && Number.isFinite(o[key]))) {
      throw new Error(`Cannot create encoder trainer: ${key} must be >= 0, got ${o[key]}`);
    }
  }
  if (o.latentWeight === 0 && o.imageWeight === 0) {
    throw new Error("Cannot create encoder trainer: latentWeight and imageWeight are both 0");
  }
  const optimizer = tf.train.adam(o.learningRate);
  const generate = (z: tf.Tensor) => generator.apply(z, { training: false }) as tf.Tensor;
  const encode = (x: tf.Tensor) => encoder.apply(x, { training: true }) as tf.Tensor;
  return {
    name: "inversion_encoder",
    models: { encoder },
    optimizers: { encoder: optimizer },
    latentDim,
    trainStep(batch, { random }): StepLogs {
      const realImages = batch.realImages;
      if (!realImages) throw new Error("Cannot train the encoder: batches need realImages");
      const z = random.normal([realImages.shape[0], latentDim]);
      const samples = generate(z); // G is frozen: no gradient reaches it
      let parts: tf.Scalar[] = [];
      const step = optimizeWithNorm(optimizer, () => {
        const latentLoss = encode(samples).sub(z).square().mean() as tf.Scalar;
        const imageLoss = o.imageWeight > 0
          ? generate(encode(realImages)).sub(realImages).square().mean() as tf.Scalar
          : tf.scalar(0);
        parts = [tf.keep(latentLoss), tf.keep(imageLoss)];
        return latentLoss.mul(o.latentWeight).add(imageLoss.mul(o.imageWeight)) as tf.Scalar;
      }, encoder);
      return {
        eLoss: step.loss,
        latentLoss: parts[0],
        imageLoss: parts[1],
        eGradNorm: step.gradNorm,
      };
    },
    sample: o.sampleImages
      ? (count) =>
        tf.tidy(() => {
          const x = o.sampleImages!.slice(0, Math.min(count, o.sampleImages!.shape[0]));
          return tf.concat([x, generate(encoder.predict(x) as tf.Tensor)], 0);
        })
      : undefined,
    guardDefaults: { dLossCollapse: false },
    dispose() {
      optimizer.dispose();
    },
  };
}

/**
 * Invert `targets` with one forward pass of the encoder: z = E(x) and G(z), with each target's
 * pixel MSE, in the shape {@linkcode invertGenerator} returns (an empty `history`).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { buildDcganGenerator } from "./models/dcgan_nets.ts";
 * import { buildEncoder } from "./models/encoder.ts";
 * import { encodeImages } from "./inversion_encoder.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const generator = buildDcganGenerator({ width: 0.125, seed: 1 });
 * const encoder = buildEncoder({ width: 0.125, seed: 2 });
 * const result = await encodeImages(generator, encoder, tf.zeros([3, 28, 28, 1]));
 * assertEquals([result.z.shape, result.images.shape, result.mse.length], [[3, 100], [3, 28, 28, 1], 3]);
 * result.dispose();
 * ```
 */
export async function encodeImages(
  generator: tf.LayersModel,
  encoder: tf.LayersModel,
  targets: tf.Tensor4D,
): Promise<InversionResult> {
  const [z, images, errors] = tf.tidy(() => {
    const z = encoder.predict(targets) as tf.Tensor2D;
    const images = generator.predict(z) as tf.Tensor4D;
    const errors = images.sub(targets).square().reshape([targets.shape[0], -1]).mean(1);
    return [z, images, errors];
  });
  const mse = Array.from(await errors.data());
  errors.dispose();
  return { z, images, mse, history: [], dispose: () => tf.dispose([z, images]) };
}
