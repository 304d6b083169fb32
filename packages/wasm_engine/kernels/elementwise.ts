/**
 * Element-wise loops for the wasm backend in WebAssembly SIMD, generated as bytes at run time and
 * run directly on the backend's own memory (the module imports it), so nothing is copied.
 *
 * tfjs-backend-wasm 4.22 runs LeakyReLU as a scalar loop whose branch on the sign mispredicts about
 * half the time (5.4 ms for the 803k values of one tutorial-DCGAN activation), builds its gradient
 * from three kernels (`Greater`, `Multiply`, `Select`: 8.3 ms), and transposes a tensor before
 * summing over its leading axes (every bias and batch-norm gradient). These loops do each in one
 * pass, four values at a time.
 *
 * @module
 */
import { F32, Fn, I32, moduleBytes, V128 } from "./encoder.ts";

/** The module's functions; pointers are byte addresses into the backend's memory. */
export interface WasmElementwise {
  /** `y[i] = x[i] > 0 ? x[i] : alpha * x[i]` for `n` floats. */
  leakyRelu(x: number, y: number, n: number, alpha: number): void;
  /** `dx[i] = x[i] > 0 ? dy[i] : alpha * dy[i]` for `n` floats. */
  leakyReluGrad(x: number, dy: number, dx: number, n: number, alpha: number): void;
  /** `out[c] = sum over r of x[r * cols + c]`, in row order; `cols` a multiple of 4. */
  columnSum(x: number, out: number, rows: number, cols: number): void;
}

const ZERO = new Array(16).fill(0);

/**
 * `while (o < limit) { body(); o += stride }`, where `o` and `limit` are locals holding byte
 * offsets (`limit - o` a multiple of `stride`).
 */
function whileBelow(f: Fn, o: string, limit: string, stride: number, body: () => void): void {
  f.block(() => {
    f.get(o).get(limit).op("i32.lt_u").op("i32.eqz").brIf(0);
    f.loop(() => {
      body();
      f.get(o).i32(stride).op("i32.add").set(o);
      f.get(o).get(limit).op("i32.lt_u").brIf(0);
    });
  });
}

/** `for (o = 0; o < limit; o += stride) body()` (see {@linkcode whileBelow}). */
function forBytes(f: Fn, o: string, limit: string, stride: number, body: () => void): void {
  f.i32(0).set(o);
  whileBelow(f, o, limit, stride, body);
}

/** Push `base + o` (two i32 locals). */
function at(f: Fn, base: string, o: string): Fn {
  return f.get(base).get(o).op("i32.add");
}

/**
 * A masked scale: `out = x > 0 ? v : alpha * v` over `n` floats, where `v` is `x` itself
 * (LeakyReLU) or `dy` (its gradient). Vector part over whole groups of 4, then a scalar tail.
 */
function maskedScale(gradient: boolean): Fn {
  const params = gradient ? ["x", "v", "out", "n", "alpha"] : ["x", "out", "n", "alpha"];
  const f = new Fn(params, params.map((p) => p === "alpha" ? F32 : I32));
  for (const l of ["o", "vecBytes", "allBytes"]) f.local(l, I32);
  for (const l of ["a", "zero", "xv", "vv"]) f.local(l, V128);
  f.local("xs", F32);
  f.local("vs", F32);
  f.local("zs", F32); // stays 0
  const v = gradient ? "v" : "x";
  f.get("n").i32(4).op("i32.mul").set("allBytes");
  f.get("allBytes").get("allBytes").i32(15).op("i32.and").op("i32.sub").set("vecBytes");
  f.get("alpha").simd("f32x4.splat").set("a");
  f.v128(ZERO).set("zero");
  forBytes(f, "o", "vecBytes", 16, () => {
    at(f, "x", "o").mem("v128.load").set("xv");
    if (gradient) at(f, "v", "o").mem("v128.load").set("vv");
    at(f, "out", "o");
    f.get(gradient ? "vv" : "xv");
    f.get(gradient ? "vv" : "xv").get("a").simd("f32x4.mul");
    f.get("xv").get("zero").simd("f32x4.gt");
    f.simd("v128.bitselect").mem("v128.store");
  });
  // Scalar tail: o runs on from vecBytes.
  whileBelow(f, "o", "allBytes", 4, () => {
    at(f, "x", "o").mem("f32.load").set("xs");
    at(f, v, "o").mem("f32.load").set("vs");
    at(f, "out", "o");
    f.get("vs").get("vs").get("alpha").op("f32.mul").get("xs").get("zs").op("f32.gt");
    f.op("select").mem("f32.store");
  });
  return f;
}

function columnSum(): Fn {
  const f = new Fn(["x", "out", "rows", "cols"]);
  for (const l of ["o", "r", "rowBytes", "row"]) f.local(l, I32);
  f.get("cols").i32(4).op("i32.mul").set("rowBytes");
  forBytes(f, "o", "rowBytes", 16, () => {
    at(f, "out", "o").v128(ZERO).mem("v128.store");
  });
  f.get("x").set("row");
  f.i32(0).set("r");
  whileBelow(f, "r", "rows", 1, () => {
    forBytes(f, "o", "rowBytes", 16, () => {
      at(f, "out", "o");
      at(f, "out", "o").mem("v128.load");
      at(f, "row", "o").mem("v128.load");
      f.simd("f32x4.add").mem("v128.store");
    });
    f.get("row").get("rowBytes").op("i32.add").set("row");
  });
  return f;
}

/**
 * The module's bytes: `leakyRelu`, `leakyReluGrad` and `columnSum` on an imported memory
 * (`shared` when the backend's memory is a `SharedArrayBuffer`; its text: `tests/golden/`).
 *
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { elementwiseModule } from "./elementwise.ts";
 * assert(WebAssembly.validate(elementwiseModule(false)));
 * ```
 */
export function elementwiseModule(shared: boolean): Uint8Array<ArrayBuffer> {
  return moduleBytes(elementwiseFunctions(), { imported: { shared } });
}

/**
 * The module's functions as the encoder's {@linkcode Fn}s, in export order.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { elementwiseFunctions } from "./elementwise.ts";
 * assertEquals(elementwiseFunctions().map((f) => f.name), ["leakyRelu", "leakyReluGrad", "columnSum"]);
 * ```
 */
export function elementwiseFunctions(): { name: string; fn: Fn }[] {
  return [
    { name: "leakyRelu", fn: maskedScale(false) },
    { name: "leakyReluGrad", fn: maskedScale(true) },
    { name: "columnSum", fn: columnSum() },
  ];
}

const instances = new WeakMap<WebAssembly.Memory, WasmElementwise | null>();

/**
 * The loops, instantiated on `memory` (once per memory); `null` where WebAssembly SIMD is missing.
 *
 * @example LeakyReLU of four floats at byte 0, written at byte 16
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { wasmElementwise } from "./elementwise.ts";
 * const memory = new WebAssembly.Memory({ initial: 1 });
 * const f32 = new Float32Array(memory.buffer);
 * f32.set([-2, -1, 0.5, 3]);
 * wasmElementwise(memory)!.leakyRelu(0, 16, 4, 0.25);
 * assertEquals(Array.from(f32.subarray(4, 8)), [-0.5, -0.25, 0.5, 3]);
 * ```
 */
export function wasmElementwise(memory: WebAssembly.Memory): WasmElementwise | null {
  const known = instances.get(memory);
  if (known !== undefined) return known;
  const shared = typeof SharedArrayBuffer !== "undefined" &&
    memory.buffer instanceof SharedArrayBuffer;
  const bytes = elementwiseModule(shared);
  let result: WasmElementwise | null = null;
  if (WebAssembly.validate(bytes)) {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
    const { leakyRelu, leakyReluGrad, columnSum } = instance.exports as unknown as WasmElementwise;
    result = { leakyRelu, leakyReluGrad, columnSum }; // a plain object: tests can count calls
  }
  instances.set(memory, result);
  return result;
}

/** The parts of tfjs-backend-wasm's Emscripten module that hold its memory (4.22). */
interface EmscriptenModule {
  asm?: { memory?: WebAssembly.Memory };
  wasmExports?: { memory?: WebAssembly.Memory };
}

/**
 * The loops on the memory of `backend` (the wasm backend a kernel function receives); `null` when
 * that memory cannot be reached (another backend, another tfjs-backend-wasm build) or SIMD is
 * missing: the caller then runs the stock kernel.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import "@tensorflow/tfjs-backend-wasm";
 * import { elementwiseOn } from "./elementwise.ts";
 * await tf.setBackend("wasm");
 * assertEquals(elementwiseOn(tf.backend()) !== null, true);
 * ```
 */
export function elementwiseOn(backend: unknown): WasmElementwise | null {
  const module = (backend as { wasm?: EmscriptenModule }).wasm;
  const memory = module?.asm?.memory ?? module?.wasmExports?.memory;
  return memory instanceof WebAssembly.Memory ? wasmElementwise(memory) : null;
}
