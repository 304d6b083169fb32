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
 * `[cols / 8][taps][depth][8]` and `C` row-major; `rows` a multiple of {@linkcode GEMM_ROW_BLOCK},
 * `cols` of {@linkcode GEMM_COL_BLOCK}.
 *
 * Byte address 0 is reserved for a row of zeros (a convolution's padding): when all six rows of a
 * register block read tap `t` from address 0, the kernel skips that tap for the block, so a
 * convolution whose rows are ordered by the taps they see (`wasm_gemm_conv.ts`) does not multiply
 * its padding.
 *
 * @module
 */

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
   * table (`taps * rows` int32), the packed `B`, and `C`.
   */
  gemm(
    indirection: number,
    packedB: number,
    c: number,
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
 * import { GEMM_ROW_BLOCK, wasmGemm } from "@course/kernels/wasm_gemm.ts";
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
 * k.gemm(64, 128, 256, GEMM_ROW_BLOCK, 8, 1, 2); // C at byte 256
 * console.log(Array.from(f32.subarray(64 + 8 * 3, 64 + 8 * 3 + 3))); // row 3: [3, 4, 5]
 * ```
 */
export function wasmGemm(): WasmGemm | null {
  if (cached !== undefined) return cached;
  cached = null;
  for (const fused of [true, false]) {
    const bytes = moduleBytes(fused);
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
            `The course's wasm matrix kernel needs ${(bytes / 2 ** 20).toFixed(0)} MiB for one ` +
              `convolution and could not get it (${(error as Error).message}). Use a smaller ` +
              `batch, or run this convolution on XNNPACK: setWasmGemm(false) from ` +
              `"@course/kernels/mod.ts".`,
          );
        }
      },
    };
    break;
  }
  return cached;
}

// --- A small WebAssembly encoder: just the instructions the kernel needs. ---

const I32 = 0x7f;
const V128 = 0x7b;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function name(s: string): number[] {
  return [...uleb(s.length), ...new TextEncoder().encode(s)];
}

/** Locals by name, with their indices (parameters first). */
class Fn {
  readonly code: number[] = [];
  readonly #index = new Map<string, number>();
  readonly #locals: number[] = [];

  constructor(readonly params: string[]) {
    params.forEach((p, i) => this.#index.set(p, i));
  }

  local(label: string, type: number): void {
    this.#index.set(label, this.params.length + this.#locals.length);
    this.#locals.push(type);
  }

  get(label: string): this {
    return this.#op(0x20, ...uleb(this.#at(label)));
  }

  set(label: string): this {
    return this.#op(0x21, ...uleb(this.#at(label)));
  }

  i32(n: number): this {
    return this.#op(0x41, ...sleb(n));
  }

  op(...bytes: number[]): this {
    return this.#op(...bytes);
  }

  simd(opcode: number, ...immediates: number[]): this {
    return this.#op(0xfd, ...uleb(opcode), ...immediates);
  }

  /** Local declarations and code, as a code-section entry. */
  body(): number[] {
    const groups: number[] = [];
    let nGroups = 0;
    for (let i = 0; i < this.#locals.length;) {
      let end = i;
      while (end < this.#locals.length && this.#locals[end] === this.#locals[i]) end++;
      groups.push(...uleb(end - i), this.#locals[i]);
      nGroups++;
      i = end;
    }
    const fn = [...uleb(nGroups), ...groups, ...this.code, 0x0b];
    return [...uleb(fn.length), ...fn];
  }

  #at(label: string): number {
    const i = this.#index.get(label);
    if (i === undefined) throw new Error(`wasm_gemm generator: unknown local ${label}`);
    return i;
  }

  #op(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }
}

const OP = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  i32Load: (offset: number) => [0x28, 2, ...uleb(offset)],
  add: [0x6a],
  sub: [0x6b],
  mul: [0x6c],
  ltS: [0x48],
  eqz: [0x45],
  and: [0x71],
  or: [0x72],
  shrU: [0x76],
};
const SIMD = {
  load: 0x00,
  load32Splat: 0x09,
  store: 0x0b,
  const: 0x0c,
  f32x4Add: 0xe4,
  f32x4Mul: 0xe6,
  relaxedMadd: 0x105,
};

/** The module: memory and `gemm(ind, bp, c, rows, cols, taps, depth)`. */
function moduleBytes(fused: boolean): Uint8Array<ArrayBuffer> {
  const f = new Fn(["ind", "bp", "c", "rows", "cols", "taps", "depth"]);
  for (const l of ["j", "i", "t", "k", "pb", "pt", "pc", "pi"]) f.local(l, I32);
  for (let r = 0; r < MR; r++) f.local(`pa${r}`, I32);
  for (const l of ["s", "b0", "b1"]) f.local(l, V128);
  for (let r = 0; r < MR; r++) for (let v = 0; v < 2; v++) f.local(`c${r}${v}`, V128);
  const zero16 = new Array(16).fill(0);

  // for (j = 0; j < cols; j += 8)
  f.i32(0).set("j").op(...OP.block, ...OP.loop);
  //   for (i = 0; i < rows; i += 4)
  f.i32(0).set("i").op(...OP.block, ...OP.loop);
  for (let r = 0; r < MR; r++) {
    for (let v = 0; v < 2; v++) f.simd(SIMD.const, ...zero16).set(`c${r}${v}`);
  }
  //     pb = bp + j * taps * depth * 4 (the panel's first byte)
  f.get("bp").get("j").get("taps").op(...OP.mul).get("depth").op(...OP.mul).i32(4).op(...OP.mul)
    .op(...OP.add).set("pb");
  //     for (t = 0; t < taps; t++)
  f.i32(0).set("t").op(...OP.block, ...OP.loop);
  //       pi = ind + (t * rows + i) * 4; pa_r = ind[t * rows + i + r]
  f.get("ind").get("t").get("rows").op(...OP.mul).get("i").op(...OP.add).i32(4).op(...OP.mul)
    .op(...OP.add).set("pi");
  for (let r = 0; r < MR; r++) f.get("pi").op(...OP.i32Load(4 * r)).set(`pa${r}`);
  //       if every row reads the row of zeros at address 0 (padding), skip the tap; pt = the
  //       tap's first byte of the panel, so that pb moves on to the next tap either way
  f.get("pb").set("pt");
  f.op(...OP.block).get("pa0");
  for (let r = 1; r < MR; r++) f.get(`pa${r}`).op(...OP.or);
  f.op(...OP.eqz, ...OP.brIf(0));
  // Per tap, `depth` multiply-adds per accumulator: UNROLL at a time with constant offsets (one
  // pointer update per UNROLL values, not per value), then the remainder one at a time.
  const step = (u: number) => {
    f.get("pb").simd(SIMD.load, 4, 4 * NR * u).set("b0");
    f.get("pb").simd(SIMD.load, 4, 4 * NR * u + 16).set("b1");
    for (let r = 0; r < MR; r++) {
      f.get(`pa${r}`).simd(SIMD.load32Splat, 2, 4 * u).set("s");
      for (let v = 0; v < 2; v++) {
        if (fused) {
          f.get("s").get(`b${v}`).get(`c${r}${v}`).simd(SIMD.relaxedMadd).set(`c${r}${v}`);
        } else {
          f.get("s").get(`b${v}`).simd(SIMD.f32x4Mul).get(`c${r}${v}`).simd(SIMD.f32x4Add)
            .set(`c${r}${v}`);
        }
      }
    }
  };
  const advance = (values: number) => {
    for (let r = 0; r < MR; r++) f.get(`pa${r}`).i32(4 * values).op(...OP.add).set(`pa${r}`);
    f.get("pb").i32(4 * NR * values).op(...OP.add).set("pb");
  };
  //       for (k = depth / UNROLL; k > 0; k--) { UNROLL values }
  f.get("depth").i32(Math.log2(UNROLL)).op(...OP.shrU).set("k");
  f.op(...OP.block).get("k").op(...OP.eqz, ...OP.brIf(0), ...OP.loop);
  for (let u = 0; u < UNROLL; u++) step(u);
  advance(UNROLL);
  f.get("k").i32(1).op(...OP.sub).set("k");
  f.get("k").op(...OP.brIf(0), ...OP.end, ...OP.end);
  //       for (k = depth % UNROLL; k > 0; k--) { one value }
  f.get("depth").i32(UNROLL - 1).op(...OP.and).set("k");
  f.op(...OP.block).get("k").op(...OP.eqz, ...OP.brIf(0), ...OP.loop);
  step(0);
  advance(1);
  f.get("k").i32(1).op(...OP.sub).set("k");
  f.get("k").op(...OP.brIf(0), ...OP.end, ...OP.end);
  f.op(...OP.end); // the skip
  f.get("pt").get("depth").i32(4 * NR).op(...OP.mul).op(...OP.add).set("pb");
  //       end k; t++ while t < taps
  f.get("t").i32(1).op(...OP.add).set("t");
  f.get("t").get("taps").op(...OP.ltS, ...OP.brIf(0), ...OP.end, ...OP.end);
  //     store the block: pc = c + (i * cols + j) * 4, one row of `cols` floats apart
  f.get("c").get("i").get("cols").op(...OP.mul).get("j").op(...OP.add).i32(4).op(...OP.mul)
    .op(...OP.add).set("pc");
  for (let r = 0; r < MR; r++) {
    for (let v = 0; v < 2; v++) f.get("pc").get(`c${r}${v}`).simd(SIMD.store, 4, 16 * v);
    f.get("pc").get("cols").i32(4).op(...OP.mul).op(...OP.add).set("pc");
  }
  f.get("i").i32(MR).op(...OP.add).set("i");
  f.get("i").get("rows").op(...OP.ltS, ...OP.brIf(0), ...OP.end, ...OP.end);
  f.get("j").i32(NR).op(...OP.add).set("j");
  f.get("j").get("cols").op(...OP.ltS, ...OP.brIf(0), ...OP.end, ...OP.end);

  const type = [0x60, ...uleb(f.params.length), ...f.params.map(() => I32), 0];
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, [1, ...type]),
    ...section(3, [1, 0]),
    ...section(5, [1, 0x00, ...uleb(16)]),
    ...section(7, [2, ...name("gemm"), 0x00, 0, ...name("memory"), 0x02, 0]),
    ...section(10, [1, ...f.body()]),
  ]);
}
