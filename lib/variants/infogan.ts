/**
 * InfoGAN (Chen et al. 2016): a DCGAN whose generator also takes a code c (a categorical value and
 * a few continuous numbers) and whose discriminator's body also feeds Q, a head that guesses c from
 * the image. Both D (with Q) and G minimise their GAN loss plus `lambda` times the
 * mutual-information term (`mutualInformationLoss`): G is rewarded for images whose code can be
 * read back, so the code ends up controlling visible factors (digit class, slant, width) without a
 * single label. `lambda: 0` gives a plain DCGAN with extra, ignored inputs.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { discriminatorLoss, nonSaturatingGeneratorLoss } from "./objectives.ts";
import {
  buildInfoganDiscriminator,
  buildInfoganGenerator,
  INFOGAN_CODE_DEFAULTS,
  type InfoganCodes,
} from "../models/infogan.ts";
import { mutualInformationLoss } from "../mutual_information.ts";
import { optimizeWithNorm } from "../train/gradients.ts";
import { type StepRandom, stepRandom } from "../core/random.ts";
import type { GanVariant, StepLogs } from "../train/variant.ts";
import { type AdamOptions, adamPair, type VariantOptions } from "./image_options.ts";

/** Options of {@linkcode createInfogan}. */
export interface InfoganOptions
  extends Omit<VariantOptions, "latentDim">, AdamOptions, InfoganCodes {
  /** Weight lambda of the mutual-information term in D's and G's losses. Default 1. */
  lambda?: number;
  /** Weight of the continuous codes' term inside it. Default 1. */
  continuousWeight?: number;
  /** D's target for real images; 0.9 is one-sided label smoothing. Default 1. */
  realLabel?: number;
}

/** A batch of codes: the categories, one-hot, and the continuous codes. */
export interface InfoganCodeBatch {
  /** Category of each row, `[batch]` int32. */
  categories: tf.Tensor1D;
  /** The same, one-hot `[batch, numCategories]` float32. */
  category: tf.Tensor2D;
  /** Continuous codes `[batch, continuousCodes]` in [-1, 1] (0 columns when there are none). */
  continuous: tf.Tensor2D;
}

/**
 * The generator's input: z, the one-hot category and the continuous codes side by side.
 *
 * @example Two rows: z of size 3, 4 categories, one continuous code
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { infoganInput } from "./infogan.ts";
 * const input = infoganInput(tf.zeros([2, 3]), [1, 3], tf.tensor2d([[0.5], [-1]]), 4);
 * assertEquals(input.arraySync(), [[0, 0, 0, 0, 1, 0, 0, 0.5], [0, 0, 0, 0, 0, 0, 1, -1]]);
 * ```
 */
export function infoganInput(
  z: tf.Tensor,
  categories: ArrayLike<number> | tf.Tensor1D,
  continuous: tf.Tensor,
  numCategories: number,
): tf.Tensor2D {
  const n = z.shape[0];
  const count = categories instanceof tf.Tensor ? categories.shape[0] : categories.length;
  if (z.rank !== 2 || continuous.rank !== 2 || count !== n || continuous.shape[0] !== n) {
    throw new Error(
      `Cannot build the InfoGAN input: z [${z.shape}], ${count} categories and continuous codes ` +
        `[${continuous.shape}] must all have the same number of rows, z and codes 2-D`,
    );
  }
  return tf.tidy(() => {
    const indices = categories instanceof tf.Tensor
      ? categories.toInt()
      : tf.tensor1d(Array.from(categories), "int32");
    const oneHot = tf.oneHot(indices as tf.Tensor1D, numCategories).toFloat();
    return tf.concat([z, oneHot, continuous], 1) as tf.Tensor2D;
  });
}

/**
 * Draw codes from InfoGAN's prior: uniform categories and continuous codes ~ U(-1, 1).
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
 * import { sampleInfoganCodes } from "./infogan.ts";
 * import { stepRandom } from "../core/random.ts";
 * const codes = sampleInfoganCodes(6, stepRandom(1, 0), { numCategories: 3, continuousCodes: 2 });
 * assertEquals(codes.category.shape, [6, 3]);
 * assert(codes.continuous.abs().max().dataSync()[0] <= 1);
 * ```
 */
export function sampleInfoganCodes(
  count: number,
  random: StepRandom,
  codes: InfoganCodes = {},
): InfoganCodeBatch {
  const { numCategories, continuousCodes } = { ...INFOGAN_CODE_DEFAULTS, ...codes };
  const host = random.host();
  const indices = Array.from({ length: count }, () => host.int(numCategories));
  const categories = tf.tensor1d(indices, "int32");
  return {
    categories,
    category: tf.tidy(() => tf.oneHot(categories, numCategories).toFloat() as tf.Tensor2D),
    continuous: random.uniform([count, continuousCodes], -1, 1) as tf.Tensor2D,
  };
}

/**
 * Create an InfoGAN variant for images (Adam 2e-4, beta1 0.5 by default, as DCGAN).
 *
 * @example One training step reports the GAN losses and both information terms
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { createInfogan } from "./infogan.ts";
 * import { stepRandom } from "../core/random.ts";
 * const variant = createInfogan({ width: 0.125, latentDim: 8, seed: 1 });
 * const realImages = tf.zeros([4, 28, 28, 1]);
 * const logs = variant.trainStep({ realImages }, { step: 0, epoch: 0, random: stepRandom(1, 0) });
 * assertEquals(Object.keys(logs).sort(), [
 *   "categoricalInfo", "continuousInfo", "dGradNorm", "dLoss", "gGradNorm", "gLoss",
 * ]);
 * assertEquals(variant.sample!(10, 0).shape, [10, 28, 28, 1]);
 * variant.dispose();
 * ```
 */
export function createInfogan(options: InfoganOptions = {}): GanVariant {
  const o = {
    ...INFOGAN_CODE_DEFAULTS,
    imageShape: [28, 28, 1] as [number, number, number],
    width: 1,
    lambda: 1,
    continuousWeight: 1,
    realLabel: 1,
    // options given as undefined (unset CLI flags) keep their defaults
    ...(Object.fromEntries(
      Object.entries(options).filter(([, v]) => v !== undefined),
    ) as InfoganOptions),
  };
  if (!(o.lambda >= 0 && Number.isFinite(o.lambda))) {
    throw new Error(`Cannot create variant infogan: lambda must be >= 0, got ${o.lambda}`);
  }
  const sizes = {
    latentDim: o.latentDim,
    numCategories: o.numCategories,
    continuousCodes: o.continuousCodes,
  };
  const model = { ...sizes, imageShape: o.imageShape, width: o.width };
  const generator = buildInfoganGenerator({ ...model, seed: o.seed });
  const discriminator = buildInfoganDiscriminator({
    ...model,
    seed: o.seed === undefined ? undefined : o.seed + 1,
  });
  const optimizers = adamPair(o);
  const generate = (z: tf.Tensor, codes: InfoganCodeBatch) =>
    generator.apply(infoganInput(z, codes.categories, codes.continuous, o.numCategories), {
      training: true,
    }) as tf.Tensor;
  const discriminate = (x: tf.Tensor) => {
    const [logit, categoryLogits, continuousMeans] = discriminator.apply(x, {
      training: true,
    }) as tf.Tensor[];
    return { logit, categoryLogits, continuousMeans };
  };
  const information = (q: ReturnType<typeof discriminate>, codes: InfoganCodeBatch) =>
    mutualInformationLoss(
      q,
      {
        category: codes.category,
        continuous: o.continuousCodes > 0 ? codes.continuous : undefined,
      },
      { continuousWeight: o.continuousWeight },
    );
  return {
    name: "infogan",
    models: { generator, discriminator },
    optimizers,
    latentDim: o.latentDim,
    blueprint: { variant: "infogan", options: { ...options } },
    trainStep(batch, { random }): StepLogs {
      const realImages = batch.realImages;
      const n = realImages.shape[0];
      // #region discriminatorUpdate: D's GAN loss, plus lambda * Q's loss on the codes of fakes
      const zD = random.normal([n, o.latentDim]);
      const codesD = sampleInfoganCodes(n, random, sizes);
      const d = optimizeWithNorm(optimizers.discriminator, () => {
        const real = discriminate(realImages);
        const fake = discriminate(generate(zD, codesD));
        const loss = discriminatorLoss(real.logit, fake.logit, { realLabel: o.realLabel });
        return o.lambda > 0
          ? loss.add(information(fake, codesD).total.mul(o.lambda)) as tf.Scalar
          : loss;
      }, discriminator);
      // #endregion
      // #region generatorUpdate: fool D, and make the code readable by Q
      const zG = random.normal([n, o.latentDim]);
      const codesG = sampleInfoganCodes(n, random, sizes);
      let categoricalInfo: tf.Scalar | undefined;
      let continuousInfo: tf.Scalar | undefined;
      const g = optimizeWithNorm(optimizers.generator, () => {
        const fake = discriminate(generate(zG, codesG));
        const info = information(fake, codesG);
        // variableGrads disposes what the loss function makes; keep the terms to log them.
        categoricalInfo = tf.keep(info.categorical);
        continuousInfo = tf.keep(info.continuous);
        const loss = nonSaturatingGeneratorLoss(fake.logit);
        return o.lambda > 0 ? loss.add(info.total.mul(o.lambda)) as tf.Scalar : loss;
      }, generator);
      // #endregion
      return {
        dLoss: d.loss,
        gLoss: g.loss,
        categoricalInfo: categoricalInfo!,
        continuousInfo: continuousInfo!,
        dGradNorm: d.gradNorm,
        gGradNorm: g.gradNorm,
      };
    },
    sample(count, seed) {
      return tf.tidy(() => {
        const random = stepRandom(seed, 0);
        const z = random.normal([count, o.latentDim]);
        // categories 0, 1, ..., K-1, 0, ...: one per column in a grid of K columns
        const categories = Array.from({ length: count }, (_, i) => i % o.numCategories);
        const continuous = random.uniform([count, o.continuousCodes], -1, 1);
        return generator.predict(
          infoganInput(z, categories, continuous, o.numCategories),
        ) as tf.Tensor;
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

/** Options of {@linkcode infoganCodeGrid}. */
export interface InfoganCodeGridOptions extends InfoganCodes {
  /** The values of the continuous code along the columns. Default -2, -1, 0, 1, 2. */
  values?: number[];
  /** Which continuous code varies along the columns. Default 0. */
  code?: number;
  /** Seed of the one z shared by every image. Default 0. */
  seed?: number;
}

/**
 * The InfoGAN figure: one z for every image, one row per category, one column per value of one
 * continuous code (the other codes 0). Returns `[numCategories * values.length, ...imageShape]`,
 * row by row.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { buildInfoganGenerator } from "../models/infogan.ts";
 * import { infoganCodeGrid } from "./infogan.ts";
 * const generator = buildInfoganGenerator({ width: 0.125, latentDim: 8, numCategories: 3 });
 * const grid = infoganCodeGrid(generator, { latentDim: 8, numCategories: 3, values: [-1, 1] });
 * assertEquals(grid.shape, [6, 28, 28, 1]);
 * generator.dispose();
 * ```
 */
export function infoganCodeGrid(
  generator: tf.LayersModel,
  options: InfoganCodeGridOptions = {},
): tf.Tensor4D {
  const o = { ...INFOGAN_CODE_DEFAULTS, values: [-2, -1, 0, 1, 2], code: 0, seed: 0, ...options };
  if (!Number.isInteger(o.code) || o.code < 0 || o.code >= o.continuousCodes) {
    throw new Error(
      `Cannot draw the code grid: code must be an integer in 0..${
        o.continuousCodes - 1
      }, got ${o.code}`,
    );
  }
  const columns = o.values.length;
  const count = o.numCategories * columns;
  return tf.tidy(() => {
    const z = tf.tile(stepRandom(o.seed, 0).normal([1, o.latentDim]), [count, 1]);
    const categories = Array.from({ length: count }, (_, i) => Math.floor(i / columns));
    const continuous = tf.tensor2d(
      Array.from(
        { length: count },
        (_, i) =>
          Array.from(
            { length: o.continuousCodes },
            (_, j) => j === o.code ? o.values[i % columns] : 0,
          ),
      ),
      [count, o.continuousCodes],
    );
    return generator.predict(
      infoganInput(z, categories, continuous, o.numCategories),
    ) as tf.Tensor4D;
  });
}
