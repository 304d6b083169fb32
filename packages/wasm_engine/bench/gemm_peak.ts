/**
 * `deno run -A packages/wasm_engine/bench/gemm_peak.ts` (from the project root): how fast one
 * thread can multiply matrices in WebAssembly on this CPU, against PyTorch on one thread, on the
 * shapes of the tutorial DCGAN's largest layers, in GFLOP/s.
 *
 * - "wasm peak": a loop of nothing but `f32x4.relaxed_madd` on 12 independent registers (no memory
 *   traffic), the most WebAssembly SIMD128 can do here; its cycles per fused multiply-add give
 *   the clock the other peaks are computed at.
 * - "engine": the engine's matrix kernel (`kernels/gemm.ts`, a 6x8 register block) on each shape
 *   as one plain product (`C[M, N] = A[M, K] B[K, N]`, one tap).
 * - "torch.mm" and "torch conv": PyTorch on one thread (`torch_mm.py`, Debian's
 *   `/usr/bin/python3`): its BLAS on the same products, and its convolutions (oneDNN) on the
 *   layers themselves.
 * - Theoretical peaks per cycle, with two FMA pipes: SIMD128 4 lanes (16 FLOP), AVX2 8 lanes
 *   (32 FLOP), AVX-512 16 lanes (64 FLOP).
 *
 * Flags: --rounds N (best of N, default 5; the peak loop, 20 N), --no-torch.
 *
 * @module
 */
import { Fn, moduleBytes, V128 } from "../kernels/encoder.ts";
import { GEMM_COL_BLOCK, GEMM_ROW_BLOCK, wasmGemm } from "../kernels/gemm.ts";

/** A layer of the tutorial DCGAN as the matrix product its convolution is. */
export interface LayerShape {
  /** What the layer is. */
  layer: string;
  /** Rows (output positions), depth (taps x input channels), columns (output channels). */
  m: number;
  k: number;
  n: number;
  /** The same layer as PyTorch's convolution (NCHW), if it is one. */
  conv?: {
    x: number[];
    w: number[];
    stride: number;
    padding: number;
    transposed?: boolean;
    output_padding?: number;
  };
}

/** The DCGAN tutorial's (batch 64, width 1) largest layers. */
export const DCGAN_SHAPES: readonly LayerShape[] = [
  {
    layer: "G conv 7x7 256->128 (5x5)",
    m: 64 * 49,
    k: 25 * 256,
    n: 128,
    conv: { x: [64, 256, 7, 7], w: [128, 256, 5, 5], stride: 1, padding: 2 },
  },
  {
    layer: "G conv 7x7 128->64 (5x5, stride 2 up)",
    m: 64 * 196,
    k: 25 * 128 / 4, // each of the 4 stride phases sees a quarter of the taps on average
    n: 64,
    conv: {
      x: [64, 128, 7, 7],
      w: [128, 64, 5, 5],
      stride: 2,
      padding: 2,
      transposed: true,
      output_padding: 1,
    },
  },
  {
    layer: "D conv 14x14 64->128 (5x5, stride 2)",
    m: 64 * 49,
    k: 25 * 64,
    n: 128,
    conv: { x: [64, 64, 14, 14], w: [128, 64, 5, 5], stride: 2, padding: 2 },
  },
  { layer: "G dense 100->12544", m: 64, k: 100, n: 7 * 7 * 256 },
];

const ACCUMULATORS = 12;
const PEAK_UNROLL = 4;

/**
 * A module whose `peak(n)` runs `n` iterations of 4 x 12 independent `f32x4.relaxed_madd` (8 FLOP
 * each) on registers, then stores the accumulators at address 0.
 *
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { peakModule } from "./gemm_peak.ts";
 * assert(WebAssembly.validate(peakModule()));
 * ```
 */
export function peakModule(): Uint8Array<ArrayBuffer> {
  const f = new Fn(["n"]);
  f.local("a", V128);
  f.local("b", V128);
  for (let c = 0; c < ACCUMULATORS; c++) f.local(`c${c}`, V128);
  const one = Array.from(new Uint8Array(new Float32Array([1, 1, 1, 1]).buffer));
  const tiny = Array.from(new Uint8Array(new Float32Array([1e-7, 1e-7, 1e-7, 1e-7]).buffer));
  f.v128(one).set("a");
  f.v128(tiny).set("b");
  f.block(() => {
    f.get("n").op("i32.eqz").brIf(0);
    f.loop(() => {
      for (let u = 0; u < PEAK_UNROLL; u++) {
        for (let c = 0; c < ACCUMULATORS; c++) {
          f.get("a").get("b").get(`c${c}`).simd("f32x4.relaxed_madd").set(`c${c}`);
        }
      }
      f.get("n").i32(1).op("i32.sub").set("n");
      f.get("n").brIf(0);
    });
  });
  for (let c = 0; c < ACCUMULATORS; c++) f.i32(16 * c).get(`c${c}`).mem("v128.store");
  return moduleBytes([{ name: "peak", fn: f }], { pages: 1 });
}

/** Milliseconds of the fastest of `rounds` calls of `run` (after one untimed call). */
function bestMs(run: () => void, rounds: number): number {
  run();
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    run();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

/**
 * The FMA-only loop's speed: GFLOP/s on one thread.
 *
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { wasmPeakGflops } from "./gemm_peak.ts";
 * assert(wasmPeakGflops(1, 1e5) > 0.1);
 * ```
 */
export function wasmPeakGflops(rounds: number, iterations = 1e6): number {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(peakModule()));
  const peak = instance.exports.peak as (n: number) => void;
  const ms = bestMs(() => peak(iterations), rounds);
  return iterations * PEAK_UNROLL * ACCUMULATORS * 8 / ms / 1e6;
}

/**
 * The engine's matrix kernel on `C[m, n] = A[m, k] B[k, n]` (random values): GFLOP/s of the best
 * of `rounds`.
 *
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { engineGemmGflops } from "./gemm_peak.ts";
 * assert(engineGemmGflops(12, 16, 8, 1) > 0);
 * ```
 */
export function engineGemmGflops(m: number, k: number, n: number, rounds: number): number {
  const kernel = wasmGemm();
  if (!kernel) throw new Error("Cannot time the engine's matrix kernel: no WebAssembly SIMD here");
  const rows = Math.ceil(m / GEMM_ROW_BLOCK) * GEMM_ROW_BLOCK;
  const cols = Math.ceil(n / GEMM_COL_BLOCK) * GEMM_COL_BLOCK;
  // Byte layout: the row of zeros at 0, then A, the indirection table, packed B, the output
  // table and C (all 16-byte aligned).
  const align = (x: number) => Math.ceil(x / 16) * 16;
  const a = align(k * 4);
  const ind = a + rows * k * 4;
  const bp = align(ind + rows * 4);
  const out = align(bp + cols * k * 4);
  const c = align(out + rows * 4);
  kernel.reserve(c + rows * cols * 4);
  const f32 = new Float32Array(kernel.memory.buffer);
  const i32 = new Int32Array(kernel.memory.buffer);
  for (let i = 0; i < rows * k; i++) f32[a / 4 + i] = Math.random() - 0.5;
  for (let i = 0; i < cols * k; i++) f32[bp / 4 + i] = Math.random() - 0.5;
  for (let r = 0; r < rows; r++) {
    i32[ind / 4 + r] = a + r * k * 4;
    i32[out / 4 + r] = c + r * cols * 4;
  }
  const ms = bestMs(() => kernel.gemm(ind, bp, out, rows, cols, 1, k), rounds);
  return 2 * m * k * n / ms / 1e6;
}

/** PyTorch's figures for the shapes, or why there are none. */
async function torchGflops(shapes: readonly LayerShape[], rounds: number) {
  const spec = {
    gemms: shapes.map((s) => [s.m, s.k, s.n]),
    convs: shapes.filter((s) => s.conv).map((s) => s.conv),
    rounds,
  };
  try {
    const child = new Deno.Command("/usr/bin/python3", {
      args: [new URL("./torch_mm.py", import.meta.url).pathname],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      // One thread for OpenBLAS and OpenMP alike.
      env: { OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1" },
    }).spawn();
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(JSON.stringify(spec)));
    await writer.close();
    const result = await child.output();
    if (!result.success) {
      return { error: new TextDecoder().decode(result.stderr).trim().split("\n").pop() };
    }
    return JSON.parse(new TextDecoder().decode(result.stdout)) as {
      torch: string;
      gemm: number[];
      conv: number[];
      capability: string;
      blas: string;
    };
  } catch (error) {
    return { error: `no /usr/bin/python3 with torch (${(error as Error).message})` };
  }
}

async function main() {
  const at = Deno.args.indexOf("--rounds");
  const rounds = at >= 0 ? Number(Deno.args[at + 1]) : 5;
  if (!(Number.isInteger(rounds) && rounds > 0)) {
    throw new Error(`Cannot run gemm_peak.ts: --rounds must be a positive integer, got ${rounds}`);
  }
  // Short runs, many of them: the fastest is the one no other process interrupted.
  const peak = wasmPeakGflops(rounds * 20);
  const ghz = peak / 16; // two 4-lane FMAs (16 FLOP) per cycle
  const torch = Deno.args.includes("--no-torch")
    ? { error: "skipped (--no-torch)" }
    : await torchGflops(DCGAN_SHAPES, rounds);
  let conv = 0;
  const rows = DCGAN_SHAPES.map((s, i) => {
    const engine = engineGemmGflops(s.m, s.k, s.n, rounds);
    const row: Record<string, string | number> = {
      layer: s.layer,
      "M x K x N": `${s.m} x ${s.k} x ${s.n}`,
      engine: Math.round(engine * 10) / 10,
      "engine / wasm peak": Math.round(100 * engine / peak) / 100,
    };
    if ("gemm" in torch) {
      row["torch.mm"] = Math.round(torch.gemm[i] * 10) / 10;
      row["torch conv"] = s.conv ? Math.round(torch.conv[conv++] * 10) / 10 : "";
      row["torch.mm / engine"] = Math.round(100 * torch.gemm[i] / engine) / 100;
    }
    return row;
  });
  console.log(`GFLOP/s on one thread, best of ${rounds}; load ${Deno.loadavg().join(" ")}`);
  console.table(rows);
  console.log(
    `wasm peak (relaxed_madd on registers): ${peak.toFixed(1)} GFLOP/s = 16 FLOP/cycle at ` +
      `${ghz.toFixed(2)} GHz. At that clock: SIMD128 ${(16 * ghz).toFixed(0)}, AVX2+FMA ` +
      `${(32 * ghz).toFixed(0)}, AVX-512 ${(64 * ghz).toFixed(0)} GFLOP/s (two FMA pipes).`,
  );
  if ("gemm" in torch) {
    console.log(
      `PyTorch ${torch.torch}: BLAS ${torch.blas}, ATen CPU capability ${torch.capability}`,
    );
  } else console.log(`PyTorch: ${torch.error}`);
}

if (import.meta.main) await main();
