/**
 * Measure what an InfoGAN's codes control, with no labels used in training:
 *
 * - the categorical code: draw the same number of samples for every code value, let the metric
 *   classifier read their digits, and match code values to digits one to one
 *   ({@linkcode matchCodesToClasses}); the accuracy of the best match says how well the code has
 *   become the digit class (10% is chance for 10 values, 100% a perfect match);
 * - each continuous code: sweep it over `values` with z, the category and the other codes fixed,
 *   and measure the digits' mean slant, width and ink ({@linkcode digitShape}) at every value, and
 *   how often the classifier still reads the same digit at both ends of the sweep (a style code
 *   changes the style and keeps the class).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { INFOGAN_CODE_DEFAULTS, type InfoganCodes } from "../models/infogan.ts";
import { stepRandom } from "../core/random.ts";
import { infoganInput } from "../variants/infogan.ts";
import { type CodeMatch, matchCodesToClasses } from "./code_matching.ts";
import { digitShape } from "./digit_shape.ts";
import { type FeatureExtractor, featureExtractor } from "./feature_extractor.ts";

/** Options of {@linkcode measureInfoganControl}. */
export interface InfoganControlOptions extends InfoganCodes {
  /** Samples per category value. Default 100. */
  perCategory?: number;
  /** Values of each continuous code in the sweep. Default -1, -0.5, 0, 0.5, 1 (the prior's range). */
  values?: number[];
  /** Latents (z and category) swept per continuous code. Default 200. */
  sweepSamples?: number;
  /** Seed of the latents and codes. Default 0. */
  seed?: number;
  /** The classifier. Default: the shipped MNIST classifier. */
  extractor?: FeatureExtractor;
}

/** How the digits change along one continuous code. */
export interface ContinuousSweep {
  /** The code's values. */
  values: number[];
  /** Mean slant at each value (pixels right per pixel up). */
  slant: number[];
  /** Mean horizontal spread of the ink at each value (pixels). */
  width: number[];
  /** Mean ink per pixel at each value. */
  ink: number[];
  /** Share of the swept latents whose digit the classifier reads the same at both ends. */
  classKept: number;
}

/** What {@linkcode measureInfoganControl} returns. */
export interface InfoganControl {
  /** The best one-to-one match of category values to digit classes. */
  category: CodeMatch;
  /** One sweep per continuous code. */
  continuous: ContinuousSweep[];
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

/**
 * Measure the control of an InfoGAN generator's codes (see the module doc). The generator's
 * input must be `[z, one-hot category, continuous codes]` with the given sizes.
 *
 * @example An untrained generator: its category matches digits no better than a few lucky draws
 * ```ts
 * import { ok as assert, deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { buildInfoganGenerator } from "../models/infogan.ts";
 * import { measureInfoganControl } from "./infogan_control.ts";
 * const generator = buildInfoganGenerator({ width: 0.125, latentDim: 8, seed: 1 });
 * const control = await measureInfoganControl(generator, {
 *   latentDim: 8, perCategory: 10, sweepSamples: 10, values: [-1, 1],
 * });
 * assert(control.category.accuracy >= 0.1 && control.category.accuracy <= 1);
 * assertEquals(control.continuous.length, 2);
 * assertEquals(control.continuous[0].slant.length, 2);
 * generator.dispose();
 * ```
 */
export async function measureInfoganControl(
  generator: tf.LayersModel,
  options: InfoganControlOptions = {},
): Promise<InfoganControl> {
  const o = {
    ...INFOGAN_CODE_DEFAULTS,
    perCategory: 100,
    values: [-1, -0.5, 0, 0.5, 1],
    sweepSamples: 200,
    seed: 0,
    ...options,
  };
  const extractor = o.extractor ?? await featureExtractor();
  const random = stepRandom(o.seed, 0);
  const generate = (z: tf.Tensor, categories: number[], continuous: tf.Tensor) =>
    tf.tidy(() =>
      generator.predict(infoganInput(z, categories, continuous, o.numCategories)) as tf.Tensor4D
    );
  // the categorical code: perCategory samples of every value, the other codes from the prior
  const n = o.perCategory * o.numCategories;
  const codes = Array.from({ length: n }, (_, i) => i % o.numCategories);
  const z = random.normal([n, o.latentDim]);
  const continuous = random.uniform([n, o.continuousCodes], -1, 1);
  const images = generate(z, codes, continuous);
  const read = await extractor.run(images);
  tf.dispose([z, continuous, images]);
  const classes = read.probabilities.cols;
  const category = matchCodesToClasses(codes, read.predictedLabels, o.numCategories, classes);
  // each continuous code swept over the values, z and category fixed per latent
  const sweeps: ContinuousSweep[] = [];
  const host = random.host();
  for (let code = 0; code < o.continuousCodes; code++) {
    const zs = random.normal([o.sweepSamples, o.latentDim]);
    const cats = Array.from({ length: o.sweepSamples }, () => host.int(o.numCategories));
    const sweep: ContinuousSweep = {
      values: o.values,
      slant: [],
      width: [],
      ink: [],
      classKept: 0,
    };
    const labels: Int32Array[] = [];
    for (const value of o.values) {
      const c = tf.tidy(() =>
        tf.oneHot(tf.fill([o.sweepSamples], code, "int32") as tf.Tensor1D, o.continuousCodes)
          .toFloat().mul(value)
      );
      const swept = generate(zs, cats, c);
      const shape = await digitShape(swept);
      sweep.slant.push(mean(shape.slant));
      sweep.width.push(mean(shape.width));
      sweep.ink.push(mean(shape.ink));
      labels.push((await extractor.run(swept)).predictedLabels);
      tf.dispose([c, swept]);
    }
    const [first, last] = [labels[0], labels[labels.length - 1]];
    sweep.classKept = first.filter((label, i) => label === last[i]).length / first.length;
    sweeps.push(sweep);
    zs.dispose();
  }
  return { category, continuous: sweeps };
}
