/**
 * Inception Score (Salimans et al. 2016): `exp(E_x KL(p(y|x) || p(y)))`, high when each image is
 * classified confidently and the classes are used evenly. On MNIST the classifier is the course's
 * metric classifier, so the maximum is 10 (the number of classes).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type FeatureExtractor, featureExtractor } from "./feature_extractor.ts";
import { type FeatureInput, type Matrix, toMatrix } from "./linalg.ts";
import { checkFiniteMatrix } from "./metric_input_checks.ts";

/** Options of {@linkcode inceptionScore}. */
export interface InceptionScoreOptions {
  /** Number of equal splits the score is computed on (mean and std over them). Default 10. */
  splits?: number;
  /** Classifier for image inputs. Default: the shipped MNIST classifier. */
  extractor?: FeatureExtractor;
}

/** The Inception Score over splits. */
export interface InceptionScoreResult {
  /** Mean of the split scores. */
  mean: number;
  /** Standard deviation of the split scores (divided by the number of splits, like the paper's code). */
  std: number;
  /** The score of each split. */
  scores: number[];
}

const IS_DEFAULTS = { splits: 10 };

/**
 * Inception Score of class probabilities `[n, classes]` or of images (a rank-4 tensor, run through
 * the classifier). The samples are cut into `splits` consecutive parts of `floor(n / splits)`
 * (leftovers dropped, as in the original code); each part scores
 * `exp(mean_i sum_c p_ic (log p_ic - log mean_i p_ic))`.
 *
 * @example Confident and evenly spread predictions score the number of classes
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { inceptionScore } from "./inception_score.ts";
 * const probs = [[1, 0], [0, 1], [1, 0], [0, 1]];
 * const { mean } = await inceptionScore(probs, { splits: 2 });
 * assertEquals(mean, 2);
 * ```
 */
export async function inceptionScore(
  input: tf.Tensor | FeatureInput,
  options: InceptionScoreOptions = {},
): Promise<InceptionScoreResult> {
  const { splits } = { ...IS_DEFAULTS, ...options };
  let probs: Matrix;
  if (input instanceof tf.Tensor && input.rank !== 2) {
    const extractor = options.extractor ?? await featureExtractor();
    probs = (await extractor.run(input)).probabilities;
  } else {
    probs = toMatrix(input as FeatureInput);
  }
  return inceptionScoreOfProbabilities(probs, splits);
}

function inceptionScoreOfProbabilities(probs: Matrix, splits: number): InceptionScoreResult {
  const { rows: n, cols: c, data } = probs;
  checkFiniteMatrix(probs, "class probabilities", "Cannot compute the Inception Score");
  if (!Number.isInteger(splits) || splits < 1 || splits > n) {
    throw new Error(
      `Cannot compute the Inception Score: splits must be an integer from 1 to the number of ` +
        `samples (${n}), got ${splits}`,
    );
  }
  const part = Math.floor(n / splits);
  const scores: number[] = [];
  for (let s = 0; s < splits; s++) {
    const marginal = new Float64Array(c);
    for (let i = s * part; i < (s + 1) * part; i++) {
      for (let k = 0; k < c; k++) marginal[k] += data[i * c + k] / part;
    }
    let kl = 0;
    for (let i = s * part; i < (s + 1) * part; i++) {
      for (let k = 0; k < c; k++) {
        const p = data[i * c + k];
        if (p > 0) kl += p * (Math.log(p) - Math.log(marginal[k]));
      }
    }
    scores.push(Math.exp(kl / part));
  }
  const mean = scores.reduce((a, b) => a + b, 0) / splits;
  const std = Math.sqrt(scores.reduce((a, b) => a + (b - mean) ** 2, 0) / splits);
  return { mean, std, scores };
}
