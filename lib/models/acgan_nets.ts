/**
 * ACGAN (Odena et al. 2017): the discriminator outputs a real/fake logit and, from the same
 * features, logits for the sample's class. Several tag groups are supported, like the homework
 * report's hair colour (12 values) and eye colour (11 values), each with its own head; the generator
 * takes z concatenated with every group's one-hot tag.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { tfSeed } from "../core/random.ts";
import { checkImageShape, checkPositiveInt } from "../core/checks.ts";
import {
  dcganDiscriminatorFeatures,
  type DcganDiscriminatorOptions,
  dcganGeneratorBody,
  type DcganGeneratorOptions,
} from "./dcgan_nets.ts";
import { makeInitializers } from "./init.ts";

/**
 * How the generator takes its tags:
 * - `"concat"`: `[z, tags]` side by side (Mirza and Osindero; the homework report);
 * - `"multiply"`: `z * (tags E)`, each tag value owning a learned vector `E` of `latentDim` numbers
 *   that scales z element-wise (the Keras ACGAN example), so that the tag changes every input of
 *   the first layer instead of adding a few columns next to z;
 * - `"both"`: `[z * (tags E), tags]`.
 */
export type AcganConditioning = "concat" | "multiply" | "both";

/** Options of {@linkcode buildAcganGenerator}. */
export interface AcganGeneratorOptions extends DcganGeneratorOptions {
  /** Number of values of each tag group, e.g. `[12, 11]` for hair and eye colours. Default `[10]`. */
  tagGroups?: number[];
  /** How the tags enter (see {@linkcode AcganConditioning}). Default `"concat"`. */
  conditioning?: AcganConditioning;
}

/** Options of {@linkcode buildAcganDiscriminator}. */
export interface AcganDiscriminatorOptions extends Omit<DcganDiscriminatorOptions, "minibatch"> {
  /** Number of values of each tag group. Default `[10]`. */
  tagGroups?: number[];
}

function checkTagGroups(what: string, tagGroups: number[]): void {
  if (!Array.isArray(tagGroups) || tagGroups.length === 0) {
    throw new Error(
      `Cannot build ${what}: tagGroups must list at least one group size, got ${tagGroups}`,
    );
  }
  tagGroups.forEach((g, i) => checkPositiveInt(`build ${what}`, `tagGroups[${i}]`, g));
}

/**
 * Build an ACGAN generator with inputs `[z, tags]`: `[batch, latentDim]` and the one-hot tags of
 * every group concatenated, `[batch, sum(tagGroups)]` -> `[batch, ...imageShape]` in [-1, 1].
 *
 * @example Hair (12) and eye (11) colours, as in the homework report
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { buildAcganGenerator } from "./acgan_nets.ts";
 * const generator = buildAcganGenerator({ tagGroups: [12, 11], width: 0.25 });
 * const tags = tf.concat([tf.oneHot([3], 12), tf.oneHot([5], 11)], 1);
 * const image = generator.predict([tf.randomNormal([1, 100]), tags]) as tf.Tensor;
 * assertEquals(image.shape, [1, 28, 28, 1]);
 * ```
 */
export function buildAcganGenerator(options: AcganGeneratorOptions = {}): tf.LayersModel {
  const {
    tagGroups = [10],
    latentDim = 100,
    name = "acgan_generator",
    conditioning = "concat",
    ...rest
  } = options;
  checkTagGroups("generator", tagGroups);
  checkPositiveInt("build generator", "latentDim", latentDim);
  if (!["concat", "multiply", "both"].includes(conditioning)) {
    throw new Error(
      `Cannot build generator: conditioning must be "concat", "multiply" or "both", got "${conditioning}"`,
    );
  }
  const z = tf.input({ shape: [latentDim], name: "z" });
  const tags = tf.input({ shape: [tagGroups.reduce((a, b) => a + b, 0)], name: "tags" });
  let joined: tf.SymbolicTensor;
  if (conditioning === "concat") {
    // [batch, latentDim] ++ [batch, sum(tagGroups)]
    joined = tf.layers.concatenate({ name: "z_and_tags" }).apply([z, tags]) as tf.SymbolicTensor;
  } else {
    // one-hot tags [batch, sum(tagGroups)] -> the sum of each group's vector, [batch, latentDim]
    const embedded = tf.layers.dense({
      units: latentDim,
      useBias: false,
      kernelInitializer: tf.initializers.randomNormal({
        mean: 0,
        stddev: 1,
        seed: rest.seed === undefined ? undefined : tfSeed(rest.seed + 3000),
      }),
      name: "tag_embedding",
    }).apply(tags) as tf.SymbolicTensor;
    const scaled = tf.layers.multiply({ name: "z_times_tags" }).apply([
      z,
      embedded,
    ]) as tf.SymbolicTensor;
    joined = conditioning === "multiply"
      ? scaled
      : tf.layers.concatenate({ name: "z_and_tags" }).apply([scaled, tags]) as tf.SymbolicTensor;
  }
  const images = dcganGeneratorBody(joined, rest);
  return tf.model({ inputs: [z, tags], outputs: images, name });
}

/**
 * Build an ACGAN discriminator: `[batch, ...imageShape]` -> `[realFakeLogit [batch, 1],
 * tagLogits_0 [batch, tagGroups[0]], ...]`, all logits. Pair it with `discriminatorLoss` on the first
 * output and `auxiliaryClassLoss` on the rest.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { buildAcganDiscriminator } from "./acgan_nets.ts";
 * const discriminator = buildAcganDiscriminator({ tagGroups: [12, 11], width: 0.25 });
 * const [realFake, hair, eyes] = discriminator.predict(tf.zeros([2, 28, 28, 1])) as tf.Tensor[];
 * assertEquals([realFake.shape, hair.shape, eyes.shape], [[2, 1], [2, 12], [2, 11]]);
 * ```
 */
export function buildAcganDiscriminator(options: AcganDiscriminatorOptions = {}): tf.LayersModel {
  const {
    tagGroups = [10],
    imageShape = [28, 28, 1],
    init = "dcgan",
    seed,
    name = "acgan_discriminator",
    ...rest
  } = options;
  checkTagGroups("discriminator", tagGroups);
  const shape = checkImageShape("build discriminator", imageShape);
  const inits = makeInitializers(init, seed);
  const images = tf.input({ shape, name: "images" });
  const features = dcganDiscriminatorFeatures(images, { ...rest, imageShape: shape, inits });
  // [batch, features] -> [batch, 1] and [batch, groupSize] per tag group
  const realFake = tf.layers.dense({ units: 1, kernelInitializer: inits.kernel(), name: "logit" })
    .apply(features) as tf.SymbolicTensor;
  const heads = tagGroups.map((units, i) =>
    tf.layers.dense({ units, kernelInitializer: inits.kernel(), name: `tag_logits_${i}` })
      .apply(features) as tf.SymbolicTensor
  );
  return tf.model({ inputs: images, outputs: [realFake, ...heads], name });
}
