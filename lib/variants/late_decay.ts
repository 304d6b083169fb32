/**
 * The lecture's tip "when you think G is good enough, lower the learning rate": keep every
 * optimizer of a variant at its rate until `startStep`, then lower the rates linearly to
 * `finalFactor` times their value at `endStep`.
 *
 * @module
 */
import type { GanVariant } from "../train/variant.ts";

/** Options of {@linkcode withLateDecay} and {@linkcode lateDecayFactor}. */
export interface LateDecayOptions {
  /** The first step at a lowered rate; before it every rate is unchanged. */
  startStep: number;
  /** The step at which the rates reach `finalFactor` times their value (and stay there). */
  endStep: number;
  /** What the rates end at, as a share of their initial value, in [0, 1). Default 0. */
  finalFactor?: number;
}

/**
 * The factor the learning rates are multiplied by before step `step` (0-based): 1 before
 * `startStep`, then falling linearly to `finalFactor` at `endStep`.
 *
 * @example Constant for 100 steps, then down to 0 over the next 100
 * ```ts
 * import { lateDecayFactor } from "./late_decay.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const schedule = { startStep: 100, endStep: 200 };
 * assertEquals([0, 99, 100, 150, 200, 300].map((s) => lateDecayFactor(s, schedule)), [1, 1, 1, 0.5, 0, 0]);
 * assertEquals(lateDecayFactor(150, { ...schedule, finalFactor: 0.1 }), 0.55);
 * ```
 */
export function lateDecayFactor(step: number, options: LateDecayOptions): number {
  const { startStep, endStep } = options;
  const finalFactor = options.finalFactor ?? 0;
  if (step <= startStep) return 1;
  if (step >= endStep) return finalFactor;
  return 1 - (1 - finalFactor) * (step - startStep) / (endStep - startStep);
}

/** The learning rate of an optimizer (tfjs keeps it in a protected field). */
type WithLearningRate = { learningRate: number };

/**
 * Wrap a variant so that its optimizers follow {@linkcode lateDecayFactor}: the rate of step `s`
 * is the optimizer's initial rate times `lateDecayFactor(s, options)`. The step comes from the
 * training loop, so a run resumed from a checkpoint follows the same schedule.
 *
 * @example The rate halfway through the decay
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { initBackend } from "../backend.ts";
 * import { createToyGan } from "./toy_gans.ts";
 * import { withLateDecay } from "./late_decay.ts";
 * import { stepRandom } from "../core/random.ts";
 * import { sampleRing } from "../data/toy.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * await initBackend();
 * const variant = withLateDecay(createToyGan({ hidden: [4] }), { startStep: 10, endStep: 20 });
 * const rate = () => variant.optimizers.generator.getConfig().learningRate as number;
 * const before = rate();
 * const batch = { realImages: sampleRing(8) };
 * tf.dispose(Object.values(variant.trainStep(batch, { step: 15, epoch: 0, random: stepRandom(0, 15) })));
 * assertEquals(rate(), before / 2);
 * batch.realImages.dispose();
 * variant.dispose();
 * ```
 */
export function withLateDecay<V extends GanVariant>(variant: V, options: LateDecayOptions): V {
  const { startStep, endStep } = options;
  const finalFactor = options.finalFactor ?? 0;
  if (!Number.isInteger(startStep) || startStep < 0) {
    throw new Error(
      `Cannot decay the learning rate of ${variant.name}: startStep must be a non-negative integer, got ${startStep}`,
    );
  }
  if (!Number.isInteger(endStep) || endStep <= startStep) {
    throw new Error(
      `Cannot decay the learning rate of ${variant.name}: endStep must be an integer above startStep (${startStep}), got ${endStep}`,
    );
  }
  if (!(finalFactor >= 0 && finalFactor < 1)) {
    throw new Error(
      `Cannot decay the learning rate of ${variant.name}: finalFactor must be in [0, 1), got ${finalFactor}`,
    );
  }
  const optimizers = Object.values(variant.optimizers) as unknown as WithLearningRate[];
  const initialRates = optimizers.map((optimizer) => optimizer.learningRate);
  const trainStep = variant.trainStep.bind(variant);
  return {
    ...variant,
    trainStep(
      batch: Parameters<GanVariant["trainStep"]>[0],
      context: Parameters<GanVariant["trainStep"]>[1],
    ) {
      const factor = lateDecayFactor(context.step, options);
      optimizers.forEach((optimizer, i) => optimizer.learningRate = initialRates[i] * factor);
      return trainStep(batch, context);
    },
  };
}
