/**
 * The VAE's pieces as pure functions: the reparameterisation trick and the two terms of the
 * negative evidence lower bound (ELBO),
 *
 *   -ELBO(x) = E_{q(z|x)}[-log p(x | z)] + KL(q(z | x) || N(0, I)),
 *
 * with q(z | x) = N(mean, exp(logVar)) from the encoder and p(x | z) a Gaussian around the
 * decoder's image with a fixed standard deviation per pixel (the lecture's "L2 loss between
 * images"). All are sums over an image's pixels or latent dimensions, averaged over the batch, in
 * nats.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

function checkSameShape(what: string, a: tf.Tensor, b: tf.Tensor, names: [string, string]): void {
  if (a.rank !== b.rank || !a.shape.every((size, i) => size === b.shape[i]) || a.rank < 2) {
    throw new Error(
      `Cannot compute ${what}: ${names[0]} [${a.shape}] and ${names[1]} [${b.shape}] must have ` +
        `the same shape [batch, ...]`,
    );
  }
}

/**
 * The reparameterisation trick: z = mean + exp(logVar / 2) * noise with noise ~ N(0, I) drawn
 * outside, so that z is a differentiable function of the encoder's outputs.
 *
 * @example With logVar = log 4 the noise is scaled by 2
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { reparameterize } from "./vae_loss.ts";
 * const z = reparameterize(tf.tensor2d([[1, -1]]), tf.tensor2d([[Math.log(4), 0]]), tf.tensor2d([[0.5, 2]]));
 * assertEquals(Array.from(z.dataSync()).map((v) => +v.toFixed(5)), [2, 1]);
 * ```
 */
export function reparameterize(mean: tf.Tensor, logVar: tf.Tensor, noise: tf.Tensor): tf.Tensor {
  checkSameShape("reparameterize", mean, logVar, ["mean", "logVar"]);
  checkSameShape("reparameterize", mean, noise, ["mean", "noise"]);
  return tf.tidy(() => mean.add(tf.exp(logVar.mul(0.5)).mul(noise)));
}

/**
 * KL(N(mean, exp(logVar)) || N(0, I)) = 1/2 sum(mean^2 + exp(logVar) - logVar - 1) over the latent
 * dimensions, averaged over the batch.
 *
 * @example Zero for the prior itself; 1/2 (1 + 4 - log 4 - 1) for mean 1, variance 4
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { ok as assert } from "node:assert/strict";
 * import { gaussianKl } from "./vae_loss.ts";
 * assert(gaussianKl(tf.zeros([2, 3]), tf.zeros([2, 3])).dataSync()[0] === 0);
 * const kl = gaussianKl(tf.tensor2d([[1]]), tf.tensor2d([[Math.log(4)]])).dataSync()[0];
 * assert(Math.abs(kl - 0.5 * (4 - Math.log(4))) < 1e-6);
 * ```
 */
export function gaussianKl(mean: tf.Tensor, logVar: tf.Tensor): tf.Scalar {
  checkSameShape("the KL term", mean, logVar, ["mean", "logVar"]);
  return tf.tidy(() =>
    mean.square().add(tf.exp(logVar)).sub(logVar).sub(1).mul(0.5)
      .reshape([mean.shape[0], -1]).sum(1).mean() as tf.Scalar
  );
}

/**
 * The reconstruction term -log p(x | z) for a Gaussian decoder with standard deviation
 * `pixelStd` per pixel: sum((x - xHat)^2) / (2 pixelStd^2) over each image's pixels, averaged over
 * the batch, without the constant (the number of pixels times log(pixelStd sqrt(2 pi))). A small
 * `pixelStd` trusts the pixels more than the prior: sharper reconstructions, a less regular latent
 * space.
 *
 * @example One pixel off by 0.5 with pixelStd 0.5 costs 0.5
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { ok as assert, throws } from "node:assert/strict";
 * import { gaussianReconstructionLoss } from "./vae_loss.ts";
 * const x = tf.tensor4d([1, -1], [1, 1, 2, 1]);
 * const xHat = tf.tensor4d([0.5, -1], [1, 1, 2, 1]);
 * assert(gaussianReconstructionLoss(x, xHat, 0.5).dataSync()[0] === 0.5);
 * throws(() => gaussianReconstructionLoss(x, xHat, 0), /pixelStd must be a positive number/);
 * ```
 */
export function gaussianReconstructionLoss(
  images: tf.Tensor,
  reconstructions: tf.Tensor,
  pixelStd: number,
): tf.Scalar {
  if (!(pixelStd > 0) || !Number.isFinite(pixelStd)) {
    throw new Error(
      `Cannot compute the reconstruction loss: pixelStd must be a positive number, got ${pixelStd}`,
    );
  }
  checkSameShape("the reconstruction loss", images, reconstructions, ["images", "reconstructions"]);
  return tf.tidy(() =>
    images.sub(reconstructions).square().reshape([images.shape[0], -1]).sum(1).mean()
      .div(2 * pixelStd * pixelStd) as tf.Scalar
  );
}
