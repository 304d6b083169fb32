/**
 * Why weight clipping hurts a deep critic (WGAN-GP paper, Figure 1b): train an MLP critic on fixed
 * real and fake batches with clipping or with the gradient penalty, then measure the gradient that
 * reaches every depth, `||∂f/∂h_ℓ||`, and the gradient of the loss with respect to every kernel.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { clipWeights, wassersteinCriticLoss } from "../losses.ts";
import { gradientPenalty } from "../variants/objectives.ts";
import { optimizeWithNorm } from "../train/gradients.ts";

/** How a critic is kept Lipschitz: clip its weights to `[-clip, clip]`, or penalise its gradient. */
export type CriticRecipe = { clip: number } | { lambda: number };

/**
 * Train `critic` for `steps` updates to tell `real` from `fake` (both fixed `[n, d]` batches) with
 * the Wasserstein critic loss: with `{ clip }`, RMSProp 5e-5 and clipping after every update (WGAN);
 * with `{ lambda }`, Adam 1e-4, betas (0, 0.9), and the gradient penalty (WGAN-GP).
 *
 * @example The clipped critic's weights end inside the box
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { trainFixedCritic } from "./critic_gradients.ts";
 * import { buildMlpDiscriminator } from "@course/lib/models";
 * import { ok as assert } from "node:assert/strict";
 *
 * const critic = buildMlpDiscriminator({ hidden: [8], seed: 1 });
 * trainFixedCritic(critic, tf.ones([8, 2]), tf.zeros([8, 2]), { clip: 0.01 }, 3);
 * assert(critic.getWeights().every((w) => w.abs().max().dataSync()[0] <= 0.01 + 1e-7));
 * ```
 */
export function trainFixedCritic(
  critic: tf.LayersModel,
  real: tf.Tensor,
  fake: tf.Tensor,
  recipe: CriticRecipe,
  steps: number,
): void {
  if (!Number.isInteger(steps) || steps < 1) {
    throw new Error(`Cannot train the critic: steps must be a positive integer, got ${steps}`);
  }
  const clip = "clip" in recipe ? recipe.clip : undefined;
  const optimizer = clip !== undefined ? tf.train.rmsprop(5e-5) : tf.train.adam(1e-4, 0, 0.9);
  if (clip !== undefined) clipWeights(critic, clip); // start inside the box, as every step does
  try {
    for (let step = 0; step < steps; step++) {
      tf.tidy(() => {
        optimizeWithNorm(optimizer, () => {
          const loss = wassersteinCriticLoss(
            critic.apply(real) as tf.Tensor,
            critic.apply(fake) as tf.Tensor,
          );
          return "lambda" in recipe
            ? loss.add(gradientPenalty(critic, real, fake, { lambda: recipe.lambda, seed: step }))
            : loss;
        }, critic);
        if (clip !== undefined) clipWeights(critic, clip);
      });
    }
  } finally {
    optimizer.dispose();
  }
}

/** Row-wise L2 norms that survive tiny values: scale each row by its largest entry first. */
function rowNorms(g: tf.Tensor): tf.Tensor {
  const scale = g.abs().max(1, true).add(1e-38);
  return g.div(scale).square().sum(1).sqrt().mul(scale.squeeze([1]));
}

/**
 * The gradient of the critic's summed scores at every depth of an MLP critic, averaged over the
 * rows of `x`: `||∂f/∂h_0||` at the input, then `||∂f/∂h_ℓ||` after each hidden dense layer ℓ
 * (all dense layers but the last). Computed by adding zero "probes" to each `h_ℓ` and
 * differentiating with respect to them.
 *
 * @example A linear critic f(x) = 3 x1 + 4 x2 has gradient norm 5 at its input
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { backpropNorms } from "./critic_gradients.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const critic = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2], weights: [tf.tensor2d([[3], [4]]), tf.zeros([1])] })] });
 * assertEquals((await backpropNorms(critic, tf.ones([4, 2]))).map((v) => v.toFixed(4)), ["5.0000"]);
 * ```
 */
export async function backpropNorms(critic: tf.LayersModel, x: tf.Tensor): Promise<number[]> {
  const layers = critic.layers.filter((layer) => layer.getClassName() !== "InputLayer");
  const hidden = layers.filter((layer) => layer.getClassName() === "Dense").slice(0, -1);
  const norms = tf.tidy(() => {
    const probes = [
      tf.zerosLike(x),
      ...hidden.map((layer) => tf.zeros([x.shape[0], layer.getConfig().units as number])),
    ];
    const scores = (...p: tf.Tensor[]) => {
      let h = x.add(p[0]);
      let l = 1;
      for (const layer of layers) {
        h = layer.apply(h) as tf.Tensor;
        if (l <= hidden.length && layer === hidden[l - 1]) h = h.add(p[l++]);
      }
      return h.sum() as tf.Scalar;
    };
    return tf.stack(tf.grads(scores)(probes).map((g) => rowNorms(g).mean()));
  });
  const values = Array.from(await norms.data());
  norms.dispose();
  return values;
}

/**
 * The norm of the Wasserstein critic loss's gradient with respect to each kernel of the critic,
 * input layer first.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { kernelGradientNorms } from "./critic_gradients.ts";
 * import { buildMlpDiscriminator } from "@course/lib/models";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const critic = buildMlpDiscriminator({ hidden: [8, 8], seed: 1 });
 * assertEquals((await kernelGradientNorms(critic, tf.ones([4, 2]), tf.zeros([4, 2]))).length, 3);
 * ```
 */
export async function kernelGradientNorms(
  critic: tf.LayersModel,
  real: tf.Tensor,
  fake: tf.Tensor,
): Promise<number[]> {
  const kernels = critic.trainableWeights.filter((w) => w.name.includes("kernel"))
    .map((w) => w.read() as tf.Variable);
  const norms = tf.tidy(() => {
    const { grads } = tf.variableGrads(
      () => wassersteinCriticLoss(critic.apply(real) as tf.Tensor, critic.apply(fake) as tf.Tensor),
      kernels,
    );
    return tf.stack(kernels.map((k) => rowNorms(grads[k.name].reshape([1, -1])).reshape([])));
  });
  const values = Array.from(await norms.data());
  norms.dispose();
  return values;
}
