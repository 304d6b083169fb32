/**
 * The training loop, its batch sources, seeded randomness, guards and callbacks.
 *
 * @module
 */
export * from "./batches.ts";
export * from "./executor.ts";
export * from "./gradients.ts";
export * from "./guards.ts";
export * from "./training_data_checks.ts";
export * from "./loop.ts";
// The training side of the core randomness, where training code looks for it.
export {
  deriveSeed,
  epochOrder,
  RANDOM_STREAMS,
  type StepRandom,
  stepRandom,
} from "../core/random.ts";
export type * from "./variant.ts";
export * from "./callbacks.ts";
export * from "./ema.ts";
export * from "./warn_on_failure.ts";
