/**
 * Reference solution of hw3_acgan (for instructors; do not hand out). The `// @grade:` section is
 * the code of the starter's cell with that marker; the report is in `hw3_acgan_report.md`.
 * `deno task grade hw3_acgan --solution` grades both.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

// @grade: acganLosses
/** Mean binary cross-entropy of logits against a constant target 0 or 1, computed stably. */
function bceToTarget(logits: tf.Tensor, target: 0 | 1): tf.Tensor {
  // -log sigmoid(x) = softplus(-x), -log(1 - sigmoid(x)) = softplus(x)
  const x = target === 1 ? logits.neg() : logits;
  return tf.relu(x).add(tf.log1p(tf.exp(tf.abs(x).neg()))).mean();
}

/** Mean softmax cross-entropy of class logits `[batch, k]` against one-hot tags `[batch, k]`. */
function tagCrossEntropy(logits: tf.Tensor, tags: tf.Tensor): tf.Tensor {
  return tf.logSoftmax(logits).mul(tags).sum(-1).neg().mean();
}

/**
 * ACGAN's discriminator loss: weights[0] * (BCE(real, 1) + BCE(fake, 0)) plus, for every tag
 * group k, weights[k + 1] * CE(D's group-k logits on the real images, their real tags). Fakes get
 * no tag loss, as in the report ("[0, no label, no label]").
 */
function acganDiscriminatorLoss(
  realOutputs: tf.Tensor[],
  fakeOutputs: tf.Tensor[],
  realTags: tf.Tensor[],
  weights: number[],
): tf.Scalar {
  return tf.tidy(() => {
    let loss = bceToTarget(realOutputs[0], 1).add(bceToTarget(fakeOutputs[0], 0)).mul(weights[0]);
    realTags.forEach((tags, k) => {
      loss = loss.add(tagCrossEntropy(realOutputs[k + 1], tags).mul(weights[k + 1]));
    });
    return loss as tf.Scalar;
  });
}

/**
 * ACGAN's generator loss: weights[0] * BCE(fake, 1) (non-saturating) plus, for every group k,
 * weights[k + 1] * CE(D's group-k logits on the fakes, the tags G was asked for).
 */
function acganGeneratorLoss(
  fakeOutputs: tf.Tensor[],
  fakeTags: tf.Tensor[],
  weights: number[],
): tf.Scalar {
  return tf.tidy(() => {
    let loss = bceToTarget(fakeOutputs[0], 1).mul(weights[0]);
    fakeTags.forEach((tags, k) => {
      loss = loss.add(tagCrossEntropy(fakeOutputs[k + 1], tags).mul(weights[k + 1]));
    });
    return loss as tf.Scalar;
  });
}
// @end

export { acganDiscriminatorLoss, acganGeneratorLoss };
