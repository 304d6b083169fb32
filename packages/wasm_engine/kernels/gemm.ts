/**
 * A matrix-product kernel for WebAssembly with fused multiply-add, generated as bytes at run time.
 *
 * tfjs-backend-wasm 4.22 runs its convolutions and matrix products through an XNNPACK build that
 * multiplies and adds in two SIMD instructions. The relaxed-SIMD proposal's `f32x4.relaxed_madd`
 * (shipped in V8, so in Deno) compiles to one fused multiply-add on x86-64 CPUs with FMA3; a plain
 * 6x8 register-blocked kernel using it reached 43 GFLOP/s on the tutorial DCGAN's large
 * convolutions here, 1.3-1.5x XNNPACK's speed (`deno task bench:convs` measures both side by side).
 * Without relaxed SIMD the same kernel is generated with separate multiplies and adds.
 *
 * The kernel is an "indirect" product (as in XNNPACK's own convolutions): row `m` of tap `t` of
 * the left operand starts at the byte address `indirection[t * rows + m]`, so a convolution needs
 * no im2col copy, and a plain matrix product is the case of one tap.
 *
 * `C[rows, cols] = sum over taps t of A_t[rows, depth] * B_t[depth, cols]`, with `B` packed as
 * `[cols / 8][taps][depth][8]`; row `m` of `C` is written where an output table says (so a
 * convolution that computes its rows out of order writes them in order); `rows` a multiple of
 * {@linkcode GEMM_ROW_BLOCK}, `cols` of {@linkcode GEMM_COL_BLOCK}.
 *
 * Byte address 0 is reserved for a row of zeros (a convolution's padding): when all six rows of a
 * register block read tap `t` from address 0, the kernel skips that tap for the block, so a
 * convolution whose rows are ordered by the taps they see (`gemm_conv.ts`) does not multiply
 * its padding.
 *
 * @module
 */

import { Fn, I32, moduleBytes, V128 } from "./encoder.ts";

const MR = 6; // rows per register block
const NR = 8; // columns per register block (two f32x4 vectors)
const UNROLL = 4; // inner-product values per loop iteration (a power of 2)

/** Rows of the left operand are padded to a multiple of this. */
export const GEMM_ROW_BLOCK = MR;
/** Columns of the product are padded to a multiple of this. */
export const GEMM_COL_BLOCK = NR;

/** The generated kernel and the memory it reads and writes. */
export interface WasmGemm {
  /** The module's memory (grows on demand through {@linkcode WasmGemm.reserve}). */
  memory: WebAssembly.Memory;
  /** True when the kernel uses `f32x4.relaxed_madd` (fused multiply-add). */
  fused: boolean;
  /** Make the memory at least `bytes` long. */
  reserve(bytes: number): void;
  /**
   * Run `C = sum_t A_t B_t` with byte addresses into {@linkcode WasmGemm.memory}: the indirection
   * table (`taps * rows` int32), the packed `B`, and the output table (`rows` int32: where each
   * row of `C` goes, `cols` floats from there, so rows can land in any order).
   */
  gemm(
    indirection: number,
    packedB: number,
    outRows: number,
    rows: number,
    cols: number,
    taps: number,
    depth: number,
  ): void;
}

let cached: WasmGemm | null | undefined;

/**
 * The kernel, compiled once per thread; `null` where WebAssembly SIMD is unavailable.
 *
 * @example C = A B for A [6, 2] and B [2, 8] (6 rows: one register block)
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { GEMM_ROW_BLOCK, wasmGemm } from "./gemm.ts";
 * const k = wasmGemm()!;
 * k.reserve(1024);
 * const f32 = new Float32Array(k.memory.buffer);
 * const i32 = new Int32Array(k.memory.buffer);
 * // A's rows at bytes 16, 24, 32, ... (two floats each; byte 0 is the row of zeros): row m is
 * // [m, 1]; their addresses at byte 64
 * for (let m = 0; m < GEMM_ROW_BLOCK; m++) {
 *   [f32[4 + 2 * m], f32[5 + 2 * m], i32[16 + m]] = [m, 1, 16 + 8 * m];
 * }
 * // B packed [1 panel][1 tap][2][8] at byte 128: B[0][c] = 1, B[1][c] = c
 * for (let c = 0; c < 8; c++) [f32[32 + c], f32[40 + c]] = [1, c];
 * // C row-major at byte 256: row m's address at byte 448 + 4 m
 * for (let m = 0; m < GEMM_ROW_BLOCK; m++) i32[112 + m] = 256 + 32 * m;
 * k.gemm(64, 128, 448, GEMM_ROW_BLOCK, 8, 1, 2);
 * assertEquals(Array.from(f32.subarray(64 + 8 * 3, 64 + 8 * 3 + 3)), [3, 4, 5]);
 * ```
 */
export function wasmGemm(): WasmGemm | null {
  if (cached !== undefined) return cached;
  cached = null;
  for (const fused of [true, false]) {
    const bytes = gemmModule(fused);
    if (!WebAssembly.validate(bytes)) continue;
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes));
    const memory = instance.exports.memory as WebAssembly.Memory;
    const gemm = instance.exports.gemm as WasmGemm["gemm"];
    cached = {
      memory,
      fused,
      gemm,
      reserve(bytes: number) {
        const missing = bytes - memory.buffer.byteLength;
        if (missing <= 0) return;
        try {
          memory.grow(Math.ceil(missing / 65536));
        } catch (error) {
          throw new Error(
            `The wasm engine's matrix kernel needs ${(bytes / 2 ** 20).toFixed(0)} MiB for one ` +
              `convolution and could not get it (${(error as Error).message}). Use a smaller ` +
              `batch, or run this convolution on XNNPACK: setWasmGemm(false) from ` +
              `"@gan/wasm-engine/kernels".`,
          );
        }
      },
    };
    break;
  }
  return cached;
}

/**
 * The module's bytes: its memory and `gemm(ind, bp, out, rows, cols, taps, depth)`, with
 * `f32x4.relaxed_madd` when `fused`, else a multiply and an add (its text: `tests/golden/`).
 *
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { gemmModule } from "./gemm.ts";
 * assert(WebAssembly.validate(gemmModule(false)));
 * ```
 */
export function gemmModule(fused: boolean): Uint8Array<ArrayBuffer> {
  return moduleBytes(gemmFunctions(fused), { pages: 16 });
}

/**
 * The module's one function, `gemm`, as the encoder's {@linkcode Fn}.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { gemmFunctions } from "./gemm.ts";
 * assertEquals(gemmFunctions(true)[0].fn.params.length, 7);
 * ```
 */
export function gemmFunctions(fused: boolean): { name: string; fn: Fn }[] {
  const f = new Fn(["ind", "bp", "out", "rows", "cols", "taps", "depth"]);
  for (const l of ["j", "i", "t", "k", "pb", "pt", "pc", "pi"]) f.local(l, I32);
  for (let r = 0; r < MR; r++) f.local(`pa${r}`, I32);
  for (const l of ["s", "b0", "b1"]) f.local(l, V128);
  for (let r = 0; r < MR; r++) for (let v = 0; v < 2; v++) f.local(`c${r}${v}`, V128);
  const zero16 = new Array(16).fill(0);

  // Per tap, `depth` multiply-adds per accumulator: UNROLL at a time with constant offsets (one
  // pointer update per UNROLL values, not per value), then the remainder one at a time.
  const step = (u: number) => {
    f.get("pb").mem("v128.load", 4 * NR * u).set("b0");
    f.get("pb").mem("v128.load", 4 * NR * u + 16).set("b1");
    for (let r = 0; r < MR; r++) {
      f.get(`pa${r}`).mem("v128.load32_splat", 4 * u).set("s");
      for (let v = 0; v < 2; v++) {
        if (fused) {
          f.get("s").get(`b${v}`).get(`c${r}${v}`).simd("f32x4.relaxed_madd").set(`c${r}${v}`);
        } else {
          f.get("s").get(`b${v}`).simd("f32x4.mul").get(`c${r}${v}`).simd("f32x4.add")
            .set(`c${r}${v}`);
        }
      }
    }
  };
  const advance = (values: number) => {
    for (let r = 0; r < MR; r++) f.get(`pa${r}`).i32(4 * values).op("i32.add").set(`pa${r}`);
    f.get("pb").i32(4 * NR * values).op("i32.add").set("pb");
  };
  // for (k = count; k > 0; k--) body(), where count is what `count()` pushes
  const countDown = (count: () => void, body: () => void) => {
    count();
    f.set("k");
    f.block(() => {
      f.get("k").op("i32.eqz").brIf(0);
      f.loop(() => {
        body();
        f.get("k").i32(1).op("i32.sub").set("k");
        f.get("k").brIf(0);
      });
    });
  };

  // for (j = 0; j < cols; j += 8)
  f.i32(0).set("j");
  f.block(() =>
    f.loop(() => {
      //   for (i = 0; i < rows; i += 6)
      f.i32(0).set("i");
      f.block(() =>
        f.loop(() => {
          for (let r = 0; r < MR; r++) {
            for (let v = 0; v < 2; v++) f.v128(zero16).set(`c${r}${v}`);
          }
          //     pb = bp + j * taps * depth * 4 (the panel's first byte)
          f.get("bp").get("j").get("taps").op("i32.mul").get("depth").op("i32.mul").i32(4)
            .op("i32.mul").op("i32.add").set("pb");
          //     for (t = 0; t < taps; t++)
          f.i32(0).set("t");
          f.block(() =>
            f.loop(() => {
              //       pi = ind + (t * rows + i) * 4; pa_r = ind[t * rows + i + r]
              f.get("ind").get("t").get("rows").op("i32.mul").get("i").op("i32.add").i32(4)
                .op("i32.mul").op("i32.add").set("pi");
              for (let r = 0; r < MR; r++) f.get("pi").mem("i32.load", 4 * r).set(`pa${r}`);
              //       if every row reads the row of zeros at address 0 (padding), skip the tap;
              //       pt = the tap's first byte of the panel, so that pb moves on either way
              f.get("pb").set("pt");
              f.block(() => {
                f.get("pa0");
                for (let r = 1; r < MR; r++) f.get(`pa${r}`).op("i32.or");
                f.op("i32.eqz").brIf(0);
                //       UNROLL values at a time, then the remainder one at a time
                countDown(() => f.get("depth").i32(Math.log2(UNROLL)).op("i32.shr_u"), () => {
                  for (let u = 0; u < UNROLL; u++) step(u);
                  advance(UNROLL);
                });
                countDown(() => f.get("depth").i32(UNROLL - 1).op("i32.and"), () => {
                  step(0);
                  advance(1);
                });
              });
              f.get("pt").get("depth").i32(4 * NR).op("i32.mul").op("i32.add").set("pb");
              //       t++ while t < taps
              f.get("t").i32(1).op("i32.add").set("t");
              f.get("t").get("taps").op("i32.lt_s").brIf(0);
            })
          );
          //     store the block: row r at out[i + r] + j * 4
          f.get("out").get("i").i32(4).op("i32.mul").op("i32.add").set("pi");
          for (let r = 0; r < MR; r++) {
            f.get("pi").mem("i32.load", 4 * r).get("j").i32(4).op("i32.mul").op("i32.add")
              .set("pc");
            for (let v = 0; v < 2; v++) f.get("pc").get(`c${r}${v}`).mem("v128.store", 16 * v);
          }
          f.get("i").i32(MR).op("i32.add").set("i");
          f.get("i").get("rows").op("i32.lt_s").brIf(0);
        })
      );
      f.get("j").i32(NR).op("i32.add").set("j");
      f.get("j").get("cols").op("i32.lt_s").brIf(0);
    })
  );

  return [{ name: "gemm", fn: f }];
}
