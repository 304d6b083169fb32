/**
 * Print which kernels take the time in one call of a training step (`tf.profile`), most first.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/**
 * Profile `step` once and print the 15 kernels with the most time, with their call counts.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { printKernelProfile } from "./kernel_profile.ts";
 * await printKernelProfile("a matMul", () => tf.tidy(() => { tf.matMul(tf.ones([8, 8]), tf.ones([8, 8])); }));
 * ```
 */
export async function printKernelProfile(title: string, step: () => void): Promise<void> {
  const info = await tf.profile(step);
  const byKernel = new Map<string, { ms: number; calls: number }>();
  for (const k of info.kernels) {
    const e = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
    e.ms += k.kernelTimeMs as number;
    e.calls++;
    byKernel.set(k.name, e);
  }
  const total = [...byKernel.values()].reduce((a, e) => a + e.ms, 0);
  console.log(`profile of ${title} (kernel time ${total.toFixed(0)} ms):`);
  for (const [name, e] of [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15)) {
    console.log(
      `  ${name.padEnd(24)}${e.ms.toFixed(1).padStart(9)} ms ${String(e.calls).padStart(5)} calls`,
    );
  }
}
