/**
 * The objectives the GAN variants train with that the homework asks students to write: the
 * discriminator's binary cross-entropy loss and the non-saturating generator loss (DCGAN, cGAN,
 * ACGAN, the toy GAN), WGAN-GP's gradient penalty, and ACGAN's auxiliary class loss.
 *
 * The variants import them from here; no face of the library (`@course/lib`,
 * `@course/lib/variants`, `lib/losses.ts`) re-exports them, so that the library students import
 * does not hand out the graded answers. The package exports this file on its own,
 * `@course/lib/variants/objectives`, for the lecture notebooks that show the losses; the grader
 * refuses graded cells that import it or anything that reaches this folder. The other losses are
 * in `lib/losses.ts`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { bceWithLogits } from "../losses.ts";

/** Options of {@linkcode discriminatorLoss}. */
export interface DiscriminatorLossOptions {
  /** Target for real samples; 0.9 is one-sided label smoothing (Salimans et al. 2016). Default 1. */
  realLabel?: number;
  /** Target for fake samples; keep it 0 (smoothing fakes hurts). Default 0. */
  fakeLabel?: number;
  /** Probability of swapping a sample's real/fake target (ganhacks' noisy labels). Default 0. */
  flipProbability?: number;
  /** Seed of the label flips. Default: unseeded. */
  seed?: number;
}

/**
 * The discriminator's loss, BCE on real and fake logits summed:
 * -E[log D(x)] - E[log(1 - D(G(z)))] = -V(G, D). With the optimal D*(x) = p_data/(p_data + p_g) it
 * equals 2 log 2 - 2 JSD(p_data || p_g).
 *
 * @param realLogits D's logits on real samples, `[batch, 1]` (any shape).
 * @param fakeLogits D's logits on generated samples.
 *
 * @example One-sided label smoothing
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { discriminatorLoss } from "@course/lib/variants/objectives";
 * import { strictEqual } from "node:assert/strict";
 * const dLoss = discriminatorLoss(tf.tensor2d([[2]]), tf.tensor2d([[-2]]), { realLabel: 0.9 });
 * strictEqual(dLoss.dataSync()[0].toFixed(3), "0.454");
 * ```
 */
export function discriminatorLoss(
  realLogits: tf.Tensor,
  fakeLogits: tf.Tensor,
  options: DiscriminatorLossOptions = {},
): tf.Scalar {
  const { realLabel, fakeLabel, flipProbability, seed } = {
    realLabel: 1,
    fakeLabel: 0,
    flipProbability: 0,
    ...options,
  };
  if (!(flipProbability >= 0 && flipProbability <= 1)) {
    throw new Error(
      `Cannot compute dLoss: flipProbability must be in [0, 1], got ${flipProbability}`,
    );
  }
  return tf.tidy(() => {
    const targets = (logits: tf.Tensor, label: number, other: number, s?: number) => {
      if (flipProbability === 0) return tf.scalar(label);
      const flip = tf.randomUniform(logits.shape, 0, 1, "float32", s).less(flipProbability);
      return tf.where(flip, tf.fill(logits.shape, other), tf.fill(logits.shape, label));
    };
    const realTargets = targets(realLogits, realLabel, fakeLabel, seed);
    const fakeTargets = targets(
      fakeLogits,
      fakeLabel,
      realLabel,
      seed === undefined ? seed : seed + 1,
    );
    return bceWithLogits(realLogits, realTargets).mean()
      .add(bceWithLogits(fakeLogits, fakeTargets).mean()) as tf.Scalar;
  });
}

/**
 * The non-saturating generator loss -E[log D(G(z))] (Goodfellow et al. 2014): strong gradients
 * when D confidently rejects the fakes, unlike the minimax loss.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { nonSaturatingGeneratorLoss } from "@course/lib/variants/objectives";
 * import { strictEqual } from "node:assert/strict";
 * strictEqual(nonSaturatingGeneratorLoss(tf.tensor1d([0])).dataSync()[0].toFixed(4), "0.6931"); // log 2
 * ```
 */
export function nonSaturatingGeneratorLoss(fakeLogits: tf.Tensor): tf.Scalar {
  return tf.tidy(() => bceWithLogits(fakeLogits, 1).mean() as tf.Scalar);
}

/** A critic as a model or as a function of a batch of inputs to scores `[batch, 1]`. */
export type Critic = tf.LayersModel | ((inputs: tf.Tensor) => tf.Tensor);

/** Options of {@linkcode gradientPenalty}. */
export interface GradientPenaltyOptions {
  /** Weight of the penalty. Default 10 (Gulrajani et al. 2017). */
  lambda?: number;
  /** Seed of the interpolation weights alpha ~ U[0, 1]. Default: unseeded. */
  seed?: number;
  /** Fixed interpolation weights `[batch]` instead of random ones (for tests). */
  alpha?: tf.Tensor1D;
  /** Run a model critic in training mode (dropout on). Default `true`. */
  training?: boolean;
}

/**
 * WGAN-GP's two-sided gradient penalty lambda * E[(||grad_x f(x_hat)||_2 - 1)^2] at random points
 * x_hat = alpha * real + (1 - alpha) * fake, with alpha ~ U[0, 1] per sample. The norm is
 * sqrt(sum + 1e-12), so the penalty and its gradient stay finite when the gradient is zero.
 *
 * Use it inside the critic's loss: the penalty is differentiable with respect to the critic's
 * weights (double backprop). Keep the critic free of batch norm.
 *
 * @param critic A model, or a function for critics with more inputs (e.g. `(x) => model.apply([x,
 *   labels]) as tf.Tensor`).
 * @param realImages Real samples, `[batch, ...]`.
 * @param fakeImages Generated samples, same shape.
 *
 * @example A linear critic with a unit-norm weight has no penalty
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { gradientPenalty } from "@course/lib/variants/objectives";
 * const critic = (x: tf.Tensor) => x.matMul(tf.tensor2d([[0.6], [0.8]]));
 * import { ok } from "node:assert/strict";
 * const gp = gradientPenalty(critic, tf.ones([4, 2]), tf.zeros([4, 2]), { seed: 1 });
 * ok(gp.dataSync()[0] < 1e-6);
 * ```
 */
export function gradientPenalty(
  critic: Critic,
  realImages: tf.Tensor,
  fakeImages: tf.Tensor,
  options: GradientPenaltyOptions = {},
): tf.Scalar {
  const { lambda, seed, alpha, training } = { lambda: 10, training: true, ...options };
  if (realImages.shape.join() !== fakeImages.shape.join()) {
    throw new Error(
      `Cannot compute gradient penalty: realImages [${realImages.shape}] and fakeImages ` +
        `[${fakeImages.shape}] must have the same shape`,
    );
  }
  const batch = realImages.shape[0];
  const f = typeof critic === "function"
    ? critic
    : (x: tf.Tensor) => critic.apply(x, { training }) as tf.Tensor;
  return tf.tidy(() => {
    const a = alpha ?? tf.randomUniform([batch], 0, 1, "float32", seed);
    if (a.shape[0] !== batch) {
      throw new Error(
        `Cannot compute gradient penalty: alpha must have one value per sample (${batch}), got [${a.shape}]`,
      );
    }
    // #region gradientPenaltyCore
    // [batch] -> [batch, 1, ..., 1] to broadcast over each sample
    const broadcastShape = [batch, ...realImages.shape.slice(1).map(() => 1)];
    const w = a.reshape(broadcastShape);
    const interpolated = realImages.mul(w).add(fakeImages.mul(tf.sub(1, w)));
    const grads = tf.grad((x: tf.Tensor) => f(x).sum())(interpolated);
    // per-sample L2 norm over every axis but the batch axis -> [batch]
    const norms = grads.reshape([batch, -1]).square().sum(1).add(1e-12).sqrt();
    return norms.sub(1).square().mean().mul(lambda) as tf.Scalar;
    // #endregion
  });
}

/** Options of {@linkcode auxiliaryClassLoss}. */
export interface AuxiliaryClassLossOptions {
  /**
   * `false` (default): each group holds one label, softmax cross-entropy against one-hot (or soft)
   * targets. `true`: multi-label tags, sigmoid BCE on every tag, averaged.
   */
  multiLabel?: boolean;
  /** Weight of each group's loss, e.g. `[0.3, 0.35]` next to the real/fake loss's 1. Default all 1. */
  weights?: number[];
}

/**
 * ACGAN's auxiliary classification loss, summed over tag groups with their weights. For the homework
 * report's total loss weights [1, 0.3, 0.35], add `discriminatorLoss(...)` (weight 1) to
 * `auxiliaryClassLoss([hair, eyes], [hairTags, eyeTags], { weights: [0.3, 0.35] })`.
 *
 * @param logits Class logits `[batch, classes]`, or one tensor per group.
 * @param labels Targets of the same shapes: one-hot rows (softmax) or 0/1 tags (multi-label).
 *
 * @example One group, softmax cross-entropy
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { auxiliaryClassLoss } from "@course/lib/variants/objectives";
 * // uniform logits over 4 classes: -log(1/4)
 * import { strictEqual } from "node:assert/strict";
 * const loss = auxiliaryClassLoss(tf.zeros([2, 4]), tf.oneHot([1, 3], 4).toFloat());
 * strictEqual(loss.dataSync()[0].toFixed(4), "1.3863");
 * ```
 */
export function auxiliaryClassLoss(
  logits: tf.Tensor | tf.Tensor[],
  labels: tf.Tensor | tf.Tensor[],
  options: AuxiliaryClassLossOptions = {},
): tf.Scalar {
  const logitGroups = Array.isArray(logits) ? logits : [logits];
  const labelGroups = Array.isArray(labels) ? labels : [labels];
  const weights = options.weights ?? logitGroups.map(() => 1);
  if (labelGroups.length !== logitGroups.length || weights.length !== logitGroups.length) {
    throw new Error(
      `Cannot compute auxiliary loss: got ${logitGroups.length} logit groups, ` +
        `${labelGroups.length} label groups and ${weights.length} weights; they must match`,
    );
  }
  return tf.tidy(() => {
    let total: tf.Tensor = tf.scalar(0);
    logitGroups.forEach((x, i) => {
      const y = labelGroups[i].toFloat();
      if (x.shape.join() !== y.shape.join()) {
        throw new Error(
          `Cannot compute auxiliary loss: group ${i} logits [${x.shape}] and labels [${y.shape}] differ`,
        );
      }
      const loss = options.multiLabel
        ? bceWithLogits(x, y).mean()
        : tf.logSoftmax(x).mul(y).sum(-1).neg().mean();
      total = total.add(loss.mul(weights[i]));
    });
    return total as tf.Scalar;
  });
}
