/**
 * Reference solution of hw2_wgan_gp (for instructors; do not hand out). Each `// @grade:` section
 * is the code of the starter's cell with that marker; `deno task grade hw2_wgan_gp --solution`
 * grades it.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** The models, optimizers and settings of WGAN-GP (defined in the starter's setup cell). */
export interface WganGp {
  /** z `[batch, latentDim]` -> samples. */
  generator: tf.LayersModel;
  /** samples -> scores `[batch, 1]` (no sigmoid, no batch norm). */
  critic: tf.LayersModel;
  /** Updates the generator's weights. */
  gOptimizer: tf.Optimizer;
  /** Updates the critic's weights. */
  cOptimizer: tf.Optimizer;
  /** Critic updates per generator update. */
  nCritic: number;
  /** Weight of the gradient penalty. */
  lambda: number;
}

/** Where a step's batches come from: each call returns a fresh batch. */
export interface WganData {
  /** The next batch of real samples. */
  nextRealImages(): tf.Tensor;
  /** The next batch of latent vectors z. */
  nextNoise(): tf.Tensor;
}

// @grade: gradientPenalty
/**
 * WGAN-GP's two-sided penalty lambda * mean((||grad f(x_hat)||_2 - 1)^2) at
 * x_hat = alpha * real + (1 - alpha) * fake, one alpha ~ U[0, 1] per sample.
 */
function gradientPenalty(
  critic: (x: tf.Tensor) => tf.Tensor,
  realImages: tf.Tensor,
  fakeImages: tf.Tensor,
  options: { lambda?: number; alpha?: tf.Tensor1D } = {},
): tf.Scalar {
  const lambda = options.lambda ?? 10;
  return tf.tidy(() => {
    const batch = realImages.shape[0];
    const alpha = options.alpha ?? tf.randomUniform([batch], 0, 1);
    // [batch] -> [batch, 1, ..., 1] so each sample gets its own alpha
    const w = alpha.reshape([batch, ...realImages.shape.slice(1).map(() => 1)]);
    const xHat = realImages.mul(w).add(fakeImages.mul(tf.sub(1, w)));
    const grads = tf.grad((x: tf.Tensor) => critic(x).sum())(xHat);
    // per-sample L2 norm over every axis but the batch axis: [batch]
    const norms = grads.reshape([batch, -1]).square().sum(1).add(1e-12).sqrt();
    return norms.sub(1).square().mean().mul(lambda) as tf.Scalar;
  });
}

// @grade: criticLoop
/**
 * One WGAN-GP step: `gan.nCritic` critic updates, each on a fresh real batch and fresh noise, then
 * one generator update on fresh noise. Returns the last critic loss (penalty included) and the
 * generator loss.
 */
function trainStep(gan: WganGp, data: WganData): { criticLoss: number; gLoss: number } {
  const cVars = gan.critic.trainableWeights.map((w) => w.read() as tf.Variable);
  const gVars = gan.generator.trainableWeights.map((w) => w.read() as tf.Variable);
  const critic = (x: tf.Tensor) => gan.critic.apply(x, { training: true }) as tf.Tensor;
  let criticLoss = NaN;
  for (let i = 0; i < gan.nCritic; i++) {
    criticLoss = tf.tidy(() => {
      const realImages = data.nextRealImages();
      const noise = data.nextNoise();
      const fakeImages = gan.generator.apply(noise, { training: true }) as tf.Tensor;
      const cost = gan.cOptimizer.minimize(
        () => {
          const wasserstein = critic(fakeImages).mean().sub(critic(realImages).mean());
          return wasserstein.add(
            gradientPenalty(critic, realImages, fakeImages, { lambda: gan.lambda }),
          ) as tf.Scalar;
        },
        true,
        cVars,
      )!;
      return cost.dataSync()[0];
    });
  }
  const gLoss = tf.tidy(() => {
    const noise = data.nextNoise();
    const cost = gan.gOptimizer.minimize(
      () =>
        critic(gan.generator.apply(noise, { training: true }) as tf.Tensor).mean()
          .neg() as tf.Scalar,
      true,
      gVars,
    )!;
    return cost.dataSync()[0];
  });
  return { criticLoss, gLoss };
}
// @end

export { gradientPenalty, trainStep };
