/**
 * Save and load models (tfjs-node's `model.json` + `weights.bin` layout) and full training
 * checkpoints, without tfjs-node, atomically.
 *
 * @module
 */
export * from "./checkpoint.ts";
export * from "./checksum.ts";
export * from "./model_io.ts";
export * from "./optimizer_state.ts";
export * from "./run_dir.ts";
