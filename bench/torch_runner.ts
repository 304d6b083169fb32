/**
 * Run `bench/torch_dcgan.py` (PyTorch's side of the benchmarks) with Debian's `/usr/bin/python3`,
 * and the median the benchmarks report. Shared by `bench.ts` (CPU) and `gpu_bench.ts` (CUDA).
 *
 * @module
 */

/** What one run of torch_dcgan.py measured, or why it could not run. */
export interface TorchRun {
  /** Milliseconds of each timed step. */
  ms?: number[];
  /** PyTorch's version. */
  version?: string;
  /** `cpu`, or the CUDA device's name. */
  device?: string;
  /** Why there are no figures. */
  error?: string;
}

/**
 * Run torch_dcgan.py with `args` (e.g. `["--steps", "3", "--device", "cuda"]`). Never throws.
 *
 * @example No PyTorch figures when the script's arguments are refused
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { runTorchDcgan } from "../bench/torch_runner.ts";
 * const run = await runTorchDcgan(["--image", "13"]);
 * assert(run.ms === undefined && run.error !== undefined);
 * ```
 */
export async function runTorchDcgan(args: string[]): Promise<TorchRun> {
  const script = new URL("./torch_dcgan.py", import.meta.url).pathname;
  try {
    const out = await new Deno.Command("/usr/bin/python3", {
      args: [script, ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) {
      const err = new TextDecoder().decode(out.stderr).trim().split("\n").pop();
      return { error: `bench/torch_dcgan.py ${args.join(" ")} failed: ${err}` };
    }
    const result = JSON.parse(new TextDecoder().decode(out.stdout));
    return { ms: result.ms, version: result.torch, device: result.device };
  } catch (error) {
    return {
      error: `no /usr/bin/python3 with torch (${(error as Error).message}); ` +
        `install Debian's python3-torch to get the PyTorch column`,
    };
  }
}

/**
 * The median of `xs` (NaN for none).
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { median } from "../bench/torch_runner.ts";
 * assertEquals([median([3, 1, 2]), median([4, 1, 3, 2])], [2, 2.5]);
 * ```
 */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0
    ? NaN
    : s.length % 2
    ? s[(s.length - 1) / 2]
    : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
