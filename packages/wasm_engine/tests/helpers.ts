// Shared by the engine's kernel tests.
import * as tf from "@tensorflow/tfjs";
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { registerTrainingKernels } from "../kernels/mod.ts";

/** Seeded standard-normal values, the same on every backend. */
export function seededValues(shape: number[], seed: number): Float32Array {
  return tf.tidy(() => tf.randomNormal(shape, 0, 1, "float32", seed).dataSync() as Float32Array);
}

/**
 * Switch to `backend` (with the engine's kernels on wasm) and run `fn` on tensors built from `values`;
 * return its outputs' values. The backend stays switched.
 */
export async function onBackend(
  backend: "wasm" | "cpu",
  values: Array<[Float32Array, number[]]>,
  fn: (...ts: tf.Tensor[]) => tf.Tensor[],
): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  if (backend === "wasm") registerTrainingKernels();
  const inputs = values.map(([v, s]) => tf.tensor(v, s));
  const outs = fn(...inputs);
  const data = outs.map((t) => t.dataSync() as Float32Array);
  tf.dispose([...inputs, ...outs]);
  return data;
}

/**
 * Largest |a - b| over the larger of 1 and the largest |b|: the error of `a` relative to the
 * reference `b`'s scale.
 */
export function maxRelativeError(a: Float32Array, b: Float32Array): number {
  assertEquals(a.length, b.length);
  let scale = 1;
  let error = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    error = Math.max(error, Math.abs(a[i] - b[i]));
  }
  return error / scale;
}
