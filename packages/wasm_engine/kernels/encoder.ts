/**
 * A small WebAssembly encoder: enough to write the engine's kernels (`gemm.ts`,
 * `elementwise.ts`) as bytes at run time, so the project ships no binary and needs no build
 * step. A function is a list of instructions over named locals ({@linkcode Fn}); a module is a list
 * of functions with one memory, its own or imported ({@linkcode moduleBytes}).
 *
 * @module
 */

/** Value types. */
export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;

/** Unsigned LEB128. */
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

/** Signed LEB128. */
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

/**
 * One function: parameters and locals by name, and its code, written by chained calls.
 *
 * @example `add(a, b)` on i32 (module below)
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { Fn, OP, moduleBytes } from "./encoder.ts";
 * const f = new Fn(["a", "b"]);
 * f.get("a").get("b").op(...OP.add).set("a"); // a = a + b (no result: the kernels write memory)
 * const bytes = moduleBytes([{ name: "add", fn: f }], { pages: 1 });
 * assertEquals(WebAssembly.validate(bytes), true);
 * ```
 */
export class Fn {
  readonly code: number[] = [];
  readonly #index = new Map<string, number>();
  readonly #locals: number[] = [];

  /** `params` by name; `paramTypes` defaults to i32 for each. */
  constructor(readonly params: string[], readonly paramTypes: number[] = params.map(() => I32)) {
    params.forEach((p, i) => this.#index.set(p, i));
  }

  /** Declare a local of `type` (I32, F32, V128). */
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
    if (i === undefined) throw new Error(`wasm encoder: unknown local ${label}`);
    return i;
  }

  #op(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }
}

/** Plain instructions (with their immediates where they take some). */
export const OP = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  i32Load: (offset: number) => [0x28, 2, ...uleb(offset)],
  f32Load: (offset: number) => [0x2a, 2, ...uleb(offset)],
  f32Store: (offset: number) => [0x38, 2, ...uleb(offset)],
  add: [0x6a],
  sub: [0x6b],
  mul: [0x6c],
  ltS: [0x48],
  ltU: [0x49],
  eqz: [0x45],
  and: [0x71],
  or: [0x72],
  shrU: [0x76],
  f32Mul: [0x94],
  f32Gt: [0x5e],
  select: [0x1b],
};

/** SIMD opcodes (after the 0xfd prefix; {@linkcode Fn.simd} adds it). */
export const SIMD = {
  load: 0x00,
  load32Splat: 0x09,
  store: 0x0b,
  const: 0x0c,
  f32x4Splat: 0x13,
  f32x4Gt: 0x44,
  bitselect: 0x52,
  f32x4Add: 0xe4,
  f32x4Mul: 0xe6,
  relaxedMadd: 0x105,
};

/** Where a module's memory comes from. */
export type ModuleMemory =
  /** Its own, exported as "memory", starting at `pages` of 64 KiB. */
  | { pages: number }
  /** Imported as env.memory (another module's); `shared` must match that memory. */
  | { imported: { shared: boolean } };

/**
 * A module's bytes: `functions` exported under their names, all returning nothing, and one
 * memory (see {@linkcode ModuleMemory}).
 *
 * @example See {@linkcode Fn}.
 */
export function moduleBytes(
  functions: { name: string; fn: Fn }[],
  memory: ModuleMemory,
): Uint8Array<ArrayBuffer> {
  const types = functions.flatMap(({ fn }) => [
    0x60,
    ...uleb(fn.params.length),
    ...fn.paramTypes,
    0,
  ]);
  const sections: number[][] = [section(1, [...uleb(functions.length), ...types])];
  let exports = functions.flatMap(({ name: n }, i) => [...name(n), 0x00, ...uleb(i)]);
  let exportCount = functions.length;
  if ("imported" in memory) {
    // limits: 0x03 = shared with a maximum (wasm32's largest), 0x00 = a minimum only
    const limits = memory.imported.shared ? [0x03, 0, ...uleb(65536)] : [0x00, 0];
    sections.push(section(2, [1, ...name("env"), ...name("memory"), 0x02, ...limits]));
  }
  sections.push(section(3, [...uleb(functions.length), ...functions.flatMap((_, i) => uleb(i))]));
  if ("pages" in memory) {
    sections.push(section(5, [1, 0x00, ...uleb(memory.pages)]));
    exports = [...exports, ...name("memory"), 0x02, 0];
    exportCount++;
  }
  sections.push(section(7, [...uleb(exportCount), ...exports]));
  const bodies = functions.flatMap(({ fn }) => fn.body());
  sections.push(section(10, [...uleb(functions.length), ...bodies]));
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...sections.flat()]);
}
