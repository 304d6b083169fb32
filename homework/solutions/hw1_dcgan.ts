/**
 * Reference solution of hw1_dcgan (for instructors; do not hand out). Each `// @grade:` section is
 * the code of the starter's cell with that marker; `deno task grade hw1_dcgan --solution` grades it.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** The models and optimizers one training step updates (defined in the starter's setup cell). */
export interface Gan {
  /** z `[batch, latentDim]` -> samples. */
  generator: tf.LayersModel;
  /** samples -> logits `[batch, 1]`. */
  discriminator: tf.LayersModel;
  /** Updates the generator's weights. */
  gOptimizer: tf.Optimizer;
  /** Updates the discriminator's weights. */
  dOptimizer: tf.Optimizer;
}

// @grade: dcganLosses
/** softplus(x) = log(1 + e^x), computed without overflow: max(x, 0) + log(1 + e^-|x|). */
function stableSoftplus(x: tf.Tensor): tf.Tensor {
  return tf.relu(x).add(tf.log1p(tf.exp(tf.abs(x).neg())));
}

/** D's loss: BCE(real logits, 1) + BCE(fake logits, 0), each averaged over the batch. */
function discriminatorLoss(realLogits: tf.Tensor, fakeLogits: tf.Tensor): tf.Scalar {
  return tf.tidy(() =>
    // -log sigmoid(x) = softplus(-x);  -log(1 - sigmoid(x)) = softplus(x)
    stableSoftplus(realLogits.neg()).mean().add(stableSoftplus(fakeLogits).mean()) as tf.Scalar
  );
}

/** The non-saturating generator loss -E[log sigmoid(fake logits)] = E[softplus(-logits)]. */
function generatorLoss(fakeLogits: tf.Tensor): tf.Scalar {
  return tf.tidy(() => stableSoftplus(fakeLogits.neg()).mean() as tf.Scalar);
}

// @grade: trainStep
/**
 * One DCGAN step: one discriminator update on real and fake samples, then one generator update
 * through the updated discriminator. Returns both losses as numbers.
 */
function trainStep(
  gan: Gan,
  batch: { realImages: tf.Tensor; noise: tf.Tensor },
): { dLoss: number; gLoss: number } {
  const dVars = gan.discriminator.trainableWeights.map((w) => w.read() as tf.Variable);
  const gVars = gan.generator.trainableWeights.map((w) => w.read() as tf.Variable);
  const dLoss = tf.tidy(() => {
    // G is not trained here: only D's variables are in the var list.
    const fakeImages = gan.generator.apply(batch.noise, { training: true }) as tf.Tensor;
    return gan.dOptimizer.minimize(
      () => {
        const realLogits = gan.discriminator.apply(batch.realImages, {
          training: true,
        }) as tf.Tensor;
        const fakeLogits = gan.discriminator.apply(fakeImages, { training: true }) as tf.Tensor;
        return discriminatorLoss(realLogits, fakeLogits);
      },
      true,
      dVars,
    )!;
  });
  const gLoss = tf.tidy(() =>
    gan.gOptimizer.minimize(
      () => {
        const fakeImages = gan.generator.apply(batch.noise, { training: true }) as tf.Tensor;
        return generatorLoss(gan.discriminator.apply(fakeImages, { training: true }) as tf.Tensor);
      },
      true,
      gVars,
    )!
  );
  const result = { dLoss: dLoss.dataSync()[0], gLoss: gLoss.dataSync()[0] };
  tf.dispose([dLoss, gLoss]);
  return result;
}
// @end

export { discriminatorLoss, generatorLoss, trainStep };
