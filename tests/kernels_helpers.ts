// Shared by tests/kernels_test.ts and tests/kernels_gemm_test.ts.
import { deepStrictEqual as assertEquals } from "node:assert/strict";

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
