/**
 * The training loop, its batch sources, seeded randomness, guards and callbacks.
 *
 * @module
 */
export * from "./batches.ts";
export * from "./executor.ts";
export * from "./gradients.ts";
export * from "./guards.ts";
export * from "./input_checks.ts";
export * from "./loop.ts";
export * from "./random.ts";
export type * from "./variant.ts";
export * from "./callbacks.ts";
export * from "./ema.ts";
export * from "./warn_on_failure.ts";
