/**
 * Score a tag-conditioned generator (an ACGAN or a cGAN): draw samples that ask for every
 * combination of tags equally often, let an independent classifier read each tag group back, and
 * compare the samples' features with real held-out images (FID). Optionally also read the samples
 * with the discriminator's own tag heads, which the generator was trained to please.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { cyclingTagGroups } from "../data/tag_cycles.ts";
import type { FeatureExtractor } from "./feature_extractor.ts";
import { type FeatureStatistics, featureStatistics, frechetDistance } from "./fid.ts";
import type { Matrix } from "./linalg.ts";

/** Options of {@linkcode scoreTaggedSamples}. */
export interface TaggedSampleOptions {
  /** Number of values of each tag group, as the generator takes them, e.g. `[10, 4]`. */
  tagGroups: number[];
  /**
   * One judge per tag group, in the generator's order: a classifier whose predicted label is that
   * group's value (e.g. `faceExtractor({ group: "hair" })`). The first judge's features give FID.
   */
  judges: FeatureExtractor[];
  /** Feature statistics of real held-out images, from the first judge (`featureStatistics`). */
  realStatistics: FeatureStatistics;
  /** Samples to draw. Every tag combination is asked for equally often when it divides evenly. */
  count: number;
  /** Standard deviation of the latent `z`. Default 1. */
  latentSigma?: number;
  /** Seed of the latents (not 0: tfjs takes 0 as "no seed"). Default 7. */
  seed?: number;
  /** The discriminator, whose outputs after the first are the tag heads: scored too when given. */
  discriminator?: tf.LayersModel;
  /** Images generated (and judged) at a time. Default 500. */
  batchSize?: number;
}

/** What {@linkcode scoreTaggedSamples} measures. */
export interface TaggedSampleScores {
  /** Per tag group: the share of samples whose judged value is the requested one. */
  accuracy: number[];
  /** Per tag group: the share the discriminator's own head reads as requested (with a D only). */
  headAccuracy?: number[];
  /** Fréchet distance between the samples' and the real images' features (first judge). */
  fid: number;
  /** The samples' features from the first judge, `[count, d]` (for precision and recall). */
  features: Matrix;
  /** The requested value of every sample, per tag group. */
  requested: Int32Array[];
}

function share(read: ArrayLike<number>, asked: ArrayLike<number>): number {
  let hits = 0;
  for (let i = 0; i < asked.length; i++) if (read[i] === asked[i]) hits++;
  return hits / asked.length;
}

/**
 * Draw `count` samples from a generator with inputs `[z, tags]`, asking for the tag combinations
 * of {@linkcode cyclingTagGroups} in turn with `z ~ N(0, latentSigma^2 I)`, and score them: each
 * group's accuracy as read by its judge, FID against `realStatistics` on the first judge's
 * features, and (given `discriminator`) the accuracy of D's own heads.
 *
 * @example A generator that ignores its tags is right at chance
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
 * import { featureExtractor, featureStatistics, scoreTaggedSamples } from "@course/lib/metrics";
 *
 * // G: the same image for every input; the judge calls every image class 0 of 2.
 * const z = tf.input({ shape: [3] });
 * const tags = tf.input({ shape: [2] });
 * const joined = tf.layers.concatenate().apply([z, tags]) as tf.SymbolicTensor;
 * const pixels = tf.layers.dense({ units: 4, kernelInitializer: "zeros" }).apply(joined);
 * const image = tf.layers.reshape({ targetShape: [2, 2, 1] }).apply(pixels) as tf.SymbolicTensor;
 * const generator = tf.model({ inputs: [z, tags], outputs: image });
 * const judge = await featureExtractor(tf.sequential({ layers: [
 *   tf.layers.flatten({ inputShape: [2, 2, 1] }),
 *   tf.layers.dense({ units: 3, name: "features", kernelInitializer: "ones" }),
 *   tf.layers.dense({ units: 2, kernelInitializer: "zeros", biasInitializer: tf.initializers.constant({ value: 0 }) }),
 * ] }), "features");
 * const real = featureStatistics([[0, 0, 0], [1, 1, 1], [2, 2, 2]]);
 * const scores = await scoreTaggedSamples(generator, {
 *   tagGroups: [2], judges: [judge], realStatistics: real, count: 10,
 * });
 * assertEquals(scores.accuracy, [0.5]); // half the samples asked for class 0
 * assertEquals(Array.from(scores.requested[0]), [0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
 * assert(scores.fid > 0);
 * ```
 */
export async function scoreTaggedSamples(
  generator: tf.LayersModel,
  options: TaggedSampleOptions,
): Promise<TaggedSampleScores> {
  const { tagGroups, judges, realStatistics, count } = options;
  const { latentSigma = 1, seed = 7, discriminator, batchSize = 500 } = options;
  if (judges.length !== tagGroups.length) {
    throw new Error(
      `Cannot score tagged samples: judges must hold one classifier per tag group ` +
        `(${tagGroups.length}), got ${judges.length}`,
    );
  }
  if (!Number.isInteger(count) || count < 2) {
    throw new Error(`Cannot score tagged samples: count must be an integer >= 2, got ${count}`);
  }
  if (!(Number.isFinite(latentSigma) && latentSigma > 0)) {
    throw new Error(
      `Cannot score tagged samples: latentSigma must be a positive number, got ${latentSigma}`,
    );
  }
  const latentDim = generator.inputs[0].shape[1]!;
  const tags = cyclingTagGroups(count, tagGroups);
  const requested = await Promise.all(
    tf.split(tags, tagGroups, 1).map(async (group) => {
      const labels = group.argMax(1);
      const values = await labels.data() as Int32Array;
      tf.dispose([group, labels]);
      return values;
    }),
  );
  const z = tf.randomNormal([count, latentDim], 0, latentSigma, "float32", seed);
  const chunks: tf.Tensor[] = [];
  const headHits = tagGroups.map(() => 0);
  for (let start = 0; start < count; start += batchSize) {
    const n = Math.min(batchSize, count - start);
    const images = tf.tidy(() =>
      generator.predict([z.slice(start, n), tags.slice(start, n)]) as tf.Tensor
    );
    chunks.push(images);
    if (discriminator) {
      const outputs = discriminator.predict(images) as tf.Tensor[];
      for (const [g, head] of outputs.slice(1).entries()) {
        const read = tf.tidy(() => head.argMax(1));
        headHits[g] += share(await read.data(), requested[g].subarray(start, start + n)) * n;
        read.dispose();
      }
      tf.dispose(outputs);
    }
  }
  const images = tf.concat(chunks);
  tf.dispose([...chunks, z, tags]);
  try {
    const reads = [];
    for (const judge of judges) reads.push(await judge.run(images));
    return {
      accuracy: reads.map((read, g) => share(read.predictedLabels, requested[g])),
      headAccuracy: discriminator ? headHits.map((hits) => hits / count) : undefined,
      fid: frechetDistance(featureStatistics(reads[0].features), realStatistics),
      features: reads[0].features,
      requested,
    };
  } finally {
    images.dispose();
  }
}
