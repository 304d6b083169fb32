/**
 * ACGAN (Odena et al. 2017), as in the homework report: D outputs a real/fake logit and one logit
 * group per tag (hair 12 + eyes 11 there); D learns the tags of real images and G must make images
 * whose tags D recognises. Loss weights `[1, 0.3, 0.35]` (real/fake, then each tag group), D:G = 1:2,
 * Adam 2e-4 / beta1 0.5. Batches carry `labels`: the one-hot tags of every group concatenated,
 * `[batch, sum(tagGroups)]` (or class indices `[batch]` with one group). The tag loss is a softmax
 * cross-entropy per group (the report's) or, with `tagLoss: "bce"`, a sigmoid binary cross-entropy
 * per tag (the lecture's "tag loss, not softmax"); see {@linkcode AcganTagLoss}.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { auxiliaryClassLoss, discriminatorLoss, nonSaturatingGeneratorLoss } from "./objectives.ts";
import {
  type AcganConditioning,
  buildAcganDiscriminator,
  buildAcganGenerator,
} from "../models/acgan_nets.ts";
import { optimizeWithNorm } from "../train/gradients.ts";
import { type StepRandom, stepRandom } from "../core/random.ts";
import type { StepLogs } from "../train/variant.ts";
import type { ImageVariant } from "./sampling_variant.ts";
import { OPTIMIZER_PRESETS } from "./adversarial.ts";
import { oneHotLabels } from "./cgan.ts";
import { IMAGE_VARIANT_DEFAULTS, type VariantOptions } from "./image_options.ts";

/**
 * How D's class heads turn logits into a tag loss (for D on real images, and for G on its samples):
 *
 * - `"softmax"`: one softmax per tag group and the cross-entropy against the group's one-hot tag,
 *   `-log p(c)`. The values of a group exclude each other and their probabilities sum to 1: right
 *   when every image has exactly one value per group (one hair colour, one digit). The homework
 *   report's `categorical_crossentropy`.
 * - `"bce"`: a sigmoid per tag and the binary cross-entropy of every tag against 0 or 1, summed over
 *   the tags of each group, `sum_k -[y_k log s(x_k) + (1 - y_k) log(1 - s(x_k))]`. Every tag is a
 *   yes/no question of its own, so any number of tags can be on at once: right for independent tags
 *   (glasses, earrings, "smiling"), and the lecture's choice ("Lc: binary cross entropy, tag loss,
 *   not softmax"). The sum keeps the gradient of each logit, `s(x_k) - y_k`, on the scale of the
 *   softmax's `p_k - y_k`, so one set of loss weights means the same for both; Keras's
 *   `binary_crossentropy` averages over the tags instead, which is this loss with every group's
 *   weight divided by its number of tags.
 *
 * Either way a group's value is read as the arg-max of its logits.
 */
export type AcganTagLoss = "softmax" | "bce";

/** Options of {@linkcode acganTagLoss}. */
export interface AcganTagLossOptions {
  /** Softmax per group or sigmoid per tag (see {@linkcode AcganTagLoss}). Default `"softmax"`. */
  tagLoss?: AcganTagLoss;
  /** Weight of each group's loss, e.g. `[0.3, 0.35]`. Default 1 for every group. */
  weights?: number[];
}

/**
 * The tag loss of an ACGAN's class heads: the weighted sum over tag groups of each group's
 * softmax cross-entropy, or of its per-tag binary cross-entropies summed over the group's tags
 * (see {@linkcode AcganTagLoss}), averaged over the batch.
 *
 * @param logits One `[batch, groupSize]` logits tensor per group.
 * @param targets One `[batch, groupSize]` target tensor per group: one-hot tags, or soft targets.
 *
 * @example Uniform logits over 4 values: log 4 for softmax, 4 log 2 for BCE
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { ok as assert } from "node:assert/strict";
 * import { acganTagLoss } from "./acgan.ts";
 *
 * const logits = [tf.zeros([2, 4])];
 * const tags = [tf.oneHot(tf.tensor1d([1, 3], "int32"), 4).toFloat()];
 * const softmax = acganTagLoss(logits, tags).dataSync()[0];
 * const bce = acganTagLoss(logits, tags, { tagLoss: "bce" }).dataSync()[0];
 * assert(Math.abs(softmax - Math.log(4)) < 1e-5);
 * assert(Math.abs(bce - 4 * Math.log(2)) < 1e-5);
 * ```
 */
export function acganTagLoss(
  logits: tf.Tensor[],
  targets: tf.Tensor[],
  options: AcganTagLossOptions = {},
): tf.Scalar {
  const { tagLoss = "softmax", weights = logits.map(() => 1) } = options;
  checkTagLoss(tagLoss);
  if (tagLoss === "softmax") return auxiliaryClassLoss(logits, targets, { weights });
  // auxiliaryClassLoss averages BCE over batch and tags; times the group size, it sums the tags
  const sized = weights.map((w, i) => w * (logits[i]?.shape[1] ?? 1));
  return auxiliaryClassLoss(logits, targets, { multiLabel: true, weights: sized });
}

function checkTagLoss(tagLoss: string): void {
  if (tagLoss !== "softmax" && tagLoss !== "bce") {
    throw new Error(
      `Cannot create variant acgan: tagLoss must be "softmax" (one softmax per tag group) or ` +
        `"bce" (a sigmoid per tag), got "${tagLoss}"`,
    );
  }
}

/** Options of {@linkcode createAcgan}. */
export interface AcganOptions extends VariantOptions {
  /** Size of each tag group. Default `[10]` (MNIST digits); the homework report used `[12, 11]`. */
  tagGroups?: number[];
  /** Weights of the real/fake loss and of each tag group. Default `[1, 0.3, 0.35]` cut/padded to fit. */
  lossWeights?: number[];
  /** G updates per step. Default 2 (the report's D:G = 1:2). */
  gSteps?: number;
  /**
   * Weight of D's class loss on generated images (with the tags G was asked for), relative to its
   * class loss on real images. 0 (default): D learns the tags from real images only, as in the
   * report; 1: the paper's L_C, which counts both.
   */
  fakeClassWeight?: number;
  /**
   * What D's class head should say on generated images when `fakeClassWeight > 0`: `"requested"`
   * (default), the tags G was asked for, as in the paper; `"uniform"`, every value equally likely,
   * so that D learns to be unsure of a generated image's class and G must earn a confident reading
   * with features that real images have.
   */
  fakeClassTarget?: "requested" | "uniform";
  /** Multiplier of G's class loss (on top of each group's weight). Default 1. */
  generatorClassWeight?: number;
  /** Target of real images in D's real/fake loss (one-sided label smoothing). Default 1 (none). */
  realLabel?: number;
  /** Adam learning rates. Default 2e-4 for both. */
  learningRates?: { generator?: number; discriminator?: number };
  /** How G takes the tags (see {@linkcode AcganConditioning}). Default `"concat"`. */
  conditioning?: AcganConditioning;
  /**
   * The class heads' loss: `"softmax"` (default), a softmax cross-entropy per tag group, or
   * `"bce"`, a sigmoid binary cross-entropy per tag (see {@linkcode AcganTagLoss}). With
   * `fakeClassTarget: "uniform"`, BCE asks every tag of a generated image for 1 / group size.
   */
  tagLoss?: AcganTagLoss;
}

/** Random one-hot tags of every group, concatenated: `[count, sum(tagGroups)]`. */
function randomTags(count: number, tagGroups: number[], random: StepRandom): tf.Tensor {
  const host = random.host();
  return tf.tidy(() =>
    tf.concat(
      tagGroups.map((size) =>
        tf.oneHot(tf.tensor1d(Array.from({ length: count }, () => host.int(size)), "int32"), size)
          .toFloat()
      ),
      1,
    )
  );
}

function splitTags(tags: tf.Tensor, tagGroups: number[]): tf.Tensor[] {
  return tagGroups.length === 1 ? [tags] : tf.split(tags, tagGroups, 1);
}

/**
 * Create an ACGAN variant for images.
 *
 * @example The homework report's two tag groups, with the lecture's BCE tag loss
 * ```ts
 * import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
 * import { createAcgan } from "./acgan.ts";
 *
 * const variant = createAcgan({ width: 0.125, tagGroups: [12, 11], tagLoss: "bce" });
 * assertEquals(variant.sample(4, 0).shape, [4, 28, 28, 1]);
 * variant.dispose();
 * throws(() => createAcgan({ tagLoss: "hinge" as "bce" }), /tagLoss must be "softmax"/);
 * ```
 */
export function createAcgan(options: AcganOptions = {}): ImageVariant {
  const o = {
    ...IMAGE_VARIANT_DEFAULTS,
    tagGroups: [10],
    gSteps: 2,
    fakeClassWeight: 0,
    fakeClassTarget: "requested" as "requested" | "uniform",
    generatorClassWeight: 1,
    realLabel: 1,
    conditioning: "concat" as AcganConditioning,
    tagLoss: "softmax" as AcganTagLoss,
    ...options,
  };
  checkTagLoss(o.tagLoss);
  const defaults = [1, 0.3, 0.35];
  const lossWeights = o.lossWeights ??
    Array.from({ length: o.tagGroups.length + 1 }, (_, i) => defaults[Math.min(i, 2)]);
  if (lossWeights.length !== o.tagGroups.length + 1) {
    throw new Error(
      `Cannot create variant acgan: lossWeights needs ${
        o.tagGroups.length + 1
      } values (real/fake ` +
        `and one per tag group), got ${lossWeights.length}`,
    );
  }
  const totalTags = o.tagGroups.reduce((a, b) => a + b, 0);
  const generator = buildAcganGenerator({
    imageShape: o.imageShape,
    width: o.width,
    latentDim: o.latentDim,
    tagGroups: o.tagGroups,
    conditioning: o.conditioning,
    seed: o.seed,
  });
  const discriminator = buildAcganDiscriminator({
    imageShape: o.imageShape,
    width: o.width,
    tagGroups: o.tagGroups,
    dropout: 0,
    seed: o.seed === undefined ? undefined : o.seed + 1,
  });
  const adam = (rate?: number) =>
    rate === undefined ? OPTIMIZER_PRESETS.dcgan() : tf.train.adam(rate, 0.5, 0.999);
  const optimizers = {
    generator: adam(o.learningRates?.generator),
    discriminator: adam(o.learningRates?.discriminator),
  };
  const tagWeights = lossWeights.slice(1);
  const tagLossOf = (logits: tf.Tensor[], targets: tf.Tensor[]) =>
    acganTagLoss(logits, targets, { tagLoss: o.tagLoss, weights: tagWeights });
  const discriminate = (x: tf.Tensor) => {
    const [realFake, ...tags] = discriminator.apply(x, { training: true }) as tf.Tensor[];
    return { realFake, tags };
  };
  return {
    name: "acgan",
    models: { generator, discriminator },
    optimizers,
    blueprint: { variant: "acgan", options: { ...options } },
    latentDim: o.latentDim,
    trainStep(batch, context): StepLogs {
      // Each shard of the batch (the whole batch on one thread) draws its own latents and tags.
      const optimize: typeof optimizeWithNorm = (optimizer, lossFn, model) =>
        optimizeWithNorm(optimizer, lossFn, model, context);
      const realTags = o.tagGroups.length === 1
        ? oneHotLabels(batch, o.tagGroups[0])
        : batch.labels.toFloat();
      if (realTags.shape[1] !== totalTags) {
        throw new Error(
          `Cannot train acgan: labels have ${
            realTags.shape[1]
          } columns, tagGroups [${o.tagGroups}] ` +
            `need ${totalTags} (one-hot groups concatenated)`,
        );
      }
      const logs: StepLogs = {};
      // D: real/fake on both batches (one batch at a time, as the report advises for batch norm),
      // tags on real images only (generated ones carry "no label").
      const d = optimize(optimizers.discriminator, ({ rows, random }) => {
        const realImages = rows(batch.realImages);
        const n = realImages.shape[0];
        const z = random.normal([n, o.latentDim]);
        const fakeTags = randomTags(n, o.tagGroups, random);
        const real = discriminate(realImages);
        const fake = discriminate(generator.apply([z, fakeTags], { training: true }) as tf.Tensor);
        const adversarial = discriminatorLoss(real.realFake, fake.realFake, {
          realLabel: o.realLabel,
        }).mul(lossWeights[0]);
        let aux = tagLossOf(real.tags, splitTags(rows(realTags), o.tagGroups));
        if (o.fakeClassWeight > 0) {
          const targets = o.fakeClassTarget === "uniform"
            ? o.tagGroups.map((size) => tf.fill([n, size], 1 / size))
            : splitTags(fakeTags, o.tagGroups);
          aux = aux.add(
            tagLossOf(fake.tags, targets).mul(o.fakeClassWeight),
          );
        }
        return adversarial.add(aux) as tf.Scalar;
      }, discriminator);
      logs.dLoss = d.loss;
      logs.dGradNorm = d.gradNorm;
      for (let i = 0; i < o.gSteps; i++) {
        const g = optimize(optimizers.generator, ({ rows, random }) => {
          const n = rows(batch.realImages).shape[0];
          const zG = random.normal([n, o.latentDim]);
          const tagsG = randomTags(n, o.tagGroups, random);
          const fake = discriminate(generator.apply([zG, tagsG], { training: true }) as tf.Tensor);
          const aux = tagLossOf(fake.tags, splitTags(tagsG, o.tagGroups))
            .mul(o.generatorClassWeight);
          return nonSaturatingGeneratorLoss(fake.realFake).mul(lossWeights[0]).add(
            aux,
          ) as tf.Scalar;
        }, generator);
        logs.gLoss = g.loss;
        logs.gGradNorm = g.gradNorm;
      }
      return logs;
    },
    sample(count, seed) {
      return tf.tidy(() => {
        const random = stepRandom(seed, 0);
        const z = random.normal([count, o.latentDim]);
        return generator.predict([z, randomTags(count, o.tagGroups, random)]) as tf.Tensor4D;
      });
    },
    dispose() {
      generator.dispose();
      discriminator.dispose();
      optimizers.generator.dispose();
      optimizers.discriminator.dispose();
    },
  };
}
