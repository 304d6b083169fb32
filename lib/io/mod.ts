/**
 * Save and load models (tfjs-node's `model.json` + `weights.bin` layout) and full training
 * checkpoints, without tfjs-node, atomically.
 *
 * @module
 */
export * from "./checkpoint.ts";
export * from "./model_io.ts";
