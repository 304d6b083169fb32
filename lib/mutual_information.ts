/**
 * InfoGAN's mutual-information term (Chen et al. 2016): a lower bound on I(c; G(z, c)), the
 * information the image carries about the code c that made it.
 *
 * I(c; G(z, c)) >= H(c) + E[log Q(c | G(z, c))] for any distribution Q. H(c) is fixed by the
 * prior, so maximising the bound means minimising the negative log-likelihood of the code under
 * Q, the head on D's body:
 *
 * - categorical code (one-hot, K values, uniform prior): the cross-entropy of Q's logits against
 *   the code; the bound on its information is log K - cross-entropy (nats);
 * - continuous codes (U(-1, 1) prior): a Gaussian NLL with Q's mean and a fixed standard deviation
 *   sigma, (c - mu)^2 / (2 sigma^2) summed over the codes, without the constant
 *   log(sigma sqrt(2 pi)) (it has no gradient); with sigma = 1 it is half the squared error.
 *
 * Both are averaged over the batch. InfoGAN adds `lambda * total` to D's loss (training Q with D)
 * and to G's loss.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** What Q predicted for a batch of generated images. */
export interface CodePredictions {
  /** Logits of the categorical code, `[batch, K]`. */
  categoryLogits: tf.Tensor;
  /** Predicted means of the continuous codes, `[batch, C]` (absent when there are none). */
  continuousMeans?: tf.Tensor;
}

/** The codes the images were generated from. */
export interface CodeTargets {
  /** The categorical code, one-hot `[batch, K]`. */
  category: tf.Tensor;
  /** The continuous codes, `[batch, C]` (absent when there are none). */
  continuous?: tf.Tensor;
}

/** Options of {@linkcode mutualInformationLoss}. */
export interface MutualInformationOptions {
  /** Weight of the continuous term inside `total`. Default 1. */
  continuousWeight?: number;
  /** The fixed standard deviation of Q's Gaussian for the continuous codes. Default 1. */
  continuousStd?: number;
}

/** The terms of {@linkcode mutualInformationLoss}, scalars (dispose them or run inside tidy). */
export interface MutualInformationLoss {
  /** Cross-entropy of the categorical code under Q, mean over the batch (nats). */
  categorical: tf.Scalar;
  /** Gaussian NLL of the continuous codes under Q (without its constant), mean over the batch. */
  continuous: tf.Scalar;
  /** `categorical + continuousWeight * continuous`: what InfoGAN weights with lambda. */
  total: tf.Scalar;
}

function sameShape(a: tf.Tensor, b: tf.Tensor): boolean {
  return a.rank === b.rank && a.shape.every((size, i) => size === b.shape[i]);
}

/**
 * The negative of InfoGAN's lower bound on the mutual information (up to the constant H(c)), in
 * its two parts.
 *
 * @example By hand: logits [0, log 3] against code 1 give -log(3/4); mean 0.5 against 1 gives 0.125
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { ok as assert } from "node:assert/strict";
 * import { mutualInformationLoss } from "./mutual_information.ts";
 * const loss = mutualInformationLoss(
 *   { categoryLogits: tf.tensor2d([[0, Math.log(3)]]), continuousMeans: tf.tensor2d([[0.5]]) },
 *   { category: tf.tensor2d([[0, 1]]), continuous: tf.tensor2d([[1]]) },
 * );
 * assert(Math.abs(loss.categorical.dataSync()[0] - Math.log(4 / 3)) < 1e-6);
 * assert(Math.abs(loss.continuous.dataSync()[0] - 0.125) < 1e-6);
 * assert(Math.abs(loss.total.dataSync()[0] - (Math.log(4 / 3) + 0.125)) < 1e-6);
 * ```
 */
export function mutualInformationLoss(
  predictions: CodePredictions,
  targets: CodeTargets,
  options: MutualInformationOptions = {},
): MutualInformationLoss {
  const { continuousWeight, continuousStd } = {
    continuousWeight: 1,
    continuousStd: 1,
    ...options,
  };
  if (!(continuousWeight >= 0) || !(continuousStd > 0)) {
    throw new Error(
      `Cannot compute the mutual-information loss: continuousWeight must be >= 0 and ` +
        `continuousStd > 0, got ${continuousWeight} and ${continuousStd}`,
    );
  }
  const { categoryLogits, continuousMeans } = predictions;
  if (categoryLogits.rank !== 2 || !sameShape(categoryLogits, targets.category)) {
    throw new Error(
      `Cannot compute the mutual-information loss: category logits [${categoryLogits.shape}] and ` +
        `one-hot codes [${targets.category.shape}] must both be [batch, K]`,
    );
  }
  if (Boolean(continuousMeans) !== Boolean(targets.continuous)) {
    throw new Error(
      "Cannot compute the mutual-information loss: give continuous means and continuous codes " +
        "together, or neither",
    );
  }
  if (
    continuousMeans && targets.continuous &&
    (!sameShape(continuousMeans, targets.continuous) ||
      continuousMeans.shape[0] !== categoryLogits.shape[0])
  ) {
    throw new Error(
      `Cannot compute the mutual-information loss: continuous means [${continuousMeans.shape}] ` +
        `and codes [${targets.continuous.shape}] must both be [batch, C] with the logits' batch`,
    );
  }
  const categorical = tf.tidy(() =>
    tf.logSoftmax(categoryLogits).mul(targets.category).sum(1).mean().neg() as tf.Scalar
  );
  const continuous = tf.tidy(() =>
    continuousMeans && targets.continuous
      ? continuousMeans.sub(targets.continuous).square().sum(1).mean()
        .div(2 * continuousStd * continuousStd) as tf.Scalar
      : tf.scalar(0)
  );
  const total = tf.tidy(() => categorical.add(continuous.mul(continuousWeight)) as tf.Scalar);
  return { categorical, continuous, total };
}
