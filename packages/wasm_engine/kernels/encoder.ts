/**
 * A small WebAssembly encoder: enough to write the engine's kernels (`gemm.ts`,
 * `elementwise.ts`) as bytes at run time, so the project ships no binary and needs no build
 * step. A function is a list of instructions over named locals ({@linkcode Fn}), named by their
 * WebAssembly text mnemonics (`"i32.add"`, `"f32x4.relaxed_madd"`); `block` and `loop` take their
 * body as a callback, so every one gets its `end`. A module is a list of functions with one memory,
 * its own or imported ({@linkcode moduleBytes}); `wat.ts` prints a module back as text.
 *
 * @module
 */

/** Value types. */
export const ValType = { i32: 0x7f, f32: 0x7d, v128: 0x7b } as const;
/** Value types, as the kernels declare their locals. */
export const I32 = ValType.i32;
export const F32 = ValType.f32;
export const V128 = ValType.v128;

/** Section ids of the module sections the encoder writes. */
export const Section = { type: 1, import: 2, function: 3, memory: 5, export: 7, code: 10 } as const;

/** Control and variable instructions (their immediates follow). */
export const Control = {
  block: 0x02,
  loop: 0x03,
  end: 0x0b,
  brIf: 0x0d,
  localGet: 0x20,
  localSet: 0x21,
  i32Const: 0x41,
  /** The block type of a block or loop that leaves no value. */
  emptyBlock: 0x40,
  /** The prefix of the SIMD instructions. */
  simdPrefix: 0xfd,
  /** A function type. */
  funcType: 0x60,
} as const;

/** Instructions without immediates, by their text mnemonic. */
export const PLAIN = {
  "select": 0x1b,
  "i32.eqz": 0x45,
  "i32.lt_s": 0x48,
  "i32.lt_u": 0x49,
  "f32.gt": 0x5e,
  "i32.add": 0x6a,
  "i32.sub": 0x6b,
  "i32.mul": 0x6c,
  "i32.and": 0x71,
  "i32.or": 0x72,
  "i32.shr_u": 0x76,
  "f32.mul": 0x94,
} as const;

/** Memory instructions: opcode and natural alignment (log2 of bytes); an offset follows. */
export const MEMORY = {
  "i32.load": { opcode: 0x28, align: 2 },
  "f32.load": { opcode: 0x2a, align: 2 },
  "f32.store": { opcode: 0x38, align: 2 },
} as const;

/** SIMD instructions without immediates (after the 0xfd prefix). */
export const SIMD = {
  "f32x4.splat": 0x13,
  "f32x4.gt": 0x44,
  "v128.bitselect": 0x52,
  "f32x4.add": 0xe4,
  "f32x4.mul": 0xe6,
  "f32x4.relaxed_madd": 0x105,
} as const;

/** SIMD memory instructions: opcode (after the 0xfd prefix) and natural alignment. */
export const SIMD_MEMORY = {
  "v128.load": { opcode: 0x00, align: 4 },
  "v128.load32_splat": { opcode: 0x09, align: 2 },
  "v128.store": { opcode: 0x0b, align: 4 },
} as const;

/** `v128.const` (after the 0xfd prefix); 16 bytes follow. */
export const V128_CONST = 0x0c;

/** An instruction without immediates. */
export type PlainInstruction = keyof typeof PLAIN;
/** A memory instruction. */
export type MemoryInstruction = keyof typeof MEMORY | keyof typeof SIMD_MEMORY;
/** A SIMD instruction without immediates. */
export type SimdInstruction = keyof typeof SIMD;

/**
 * Unsigned LEB128.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { uleb } from "./encoder.ts";
 * assertEquals(uleb(624485), [0xe5, 0x8e, 0x26]);
 * ```
 */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/**
 * Signed LEB128.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { sleb } from "./encoder.ts";
 * assertEquals(sleb(-123456), [0xc0, 0xbb, 0x78]);
 * ```
 */
export function sleb(n: number): number[] {
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
 * @example `a = a + b` on i32 (the kernels return nothing: they write memory)
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { Fn, moduleBytes } from "./encoder.ts";
 * import { wat } from "./wat.ts";
 * const f = new Fn(["a", "b"]);
 * f.get("a").get("b").op("i32.add").set("a");
 * const bytes = moduleBytes([{ name: "add", fn: f }], { pages: 1 });
 * assertEquals(WebAssembly.validate(bytes), true);
 * assertEquals(f.localNames(), ["a", "b"]);
 * assertEquals(wat(bytes, { localNames: [f.localNames()] }).split("\n").slice(5, 10), [
 *   "  (func $add (type 0) (param $a i32) (param $b i32)",
 *   "    local.get $a",
 *   "    local.get $b",
 *   "    i32.add",
 *   "    local.set $a",
 * ]);
 * ```
 *
 * @example A counted loop: block and loop take their bodies, so each gets its end
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { Fn, I32, moduleBytes } from "./encoder.ts";
 * const f = new Fn(["n"]);
 * f.local("i", I32);
 * f.i32(0).set("i");
 * f.block(() => {
 *   f.get("n").op("i32.eqz").brIf(0); // nothing to do
 *   f.loop(() => {
 *     f.get("i").i32(1).op("i32.add").set("i");
 *     f.get("i").get("n").op("i32.lt_s").brIf(0); // again while i < n
 *   });
 * });
 * assertEquals(WebAssembly.validate(moduleBytes([{ name: "count", fn: f }], { pages: 1 })), true);
 * ```
 */
export class Fn {
  readonly code: number[] = [];
  readonly #index = new Map<string, number>();
  readonly #names: string[] = [];
  readonly #locals: number[] = [];

  /** `params` by name; `paramTypes` defaults to i32 for each. */
  constructor(readonly params: string[], readonly paramTypes: number[] = params.map(() => I32)) {
    params.forEach((p, i) => {
      this.#index.set(p, i);
      this.#names.push(p);
    });
  }

  /** Declare a local of `type` (I32, F32, V128). */
  local(label: string, type: number): void {
    this.#index.set(label, this.params.length + this.#locals.length);
    this.#names.push(label);
    this.#locals.push(type);
  }

  /** The names of the parameters and locals, by index (for a text listing). */
  localNames(): string[] {
    return [...this.#names];
  }

  /** `local.get` */
  get(label: string): this {
    return this.#emit(Control.localGet, ...uleb(this.#at(label)));
  }

  /** `local.set` */
  set(label: string): this {
    return this.#emit(Control.localSet, ...uleb(this.#at(label)));
  }

  /** `i32.const` */
  i32(n: number): this {
    return this.#emit(Control.i32Const, ...sleb(n));
  }

  /** An instruction without immediates. */
  op(instruction: PlainInstruction): this {
    return this.#emit(PLAIN[instruction]);
  }

  /** A load or store at the address on the stack plus `offset`, with its natural alignment. */
  mem(instruction: MemoryInstruction, offset = 0): this {
    if (instruction in MEMORY) {
      const { opcode, align } = MEMORY[instruction as keyof typeof MEMORY];
      return this.#emit(opcode, align, ...uleb(offset));
    }
    const { opcode, align } = SIMD_MEMORY[instruction as keyof typeof SIMD_MEMORY];
    return this.#emit(Control.simdPrefix, ...uleb(opcode), align, ...uleb(offset));
  }

  /** A SIMD instruction without immediates. */
  simd(instruction: SimdInstruction): this {
    return this.#emit(Control.simdPrefix, ...uleb(SIMD[instruction]));
  }

  /** `v128.const` of 16 bytes. */
  v128(bytes: readonly number[]): this {
    if (bytes.length !== 16) throw new Error(`wasm encoder: v128.const takes 16 bytes`);
    return this.#emit(Control.simdPrefix, ...uleb(V128_CONST), ...bytes);
  }

  /** `br_if depth`: 0 is the innermost block or loop (a loop's start, a block's end). */
  brIf(depth: number): this {
    return this.#emit(Control.brIf, ...uleb(depth));
  }

  /** `block ... end` around what `body` writes. */
  block(body: () => void): this {
    return this.#structured(Control.block, body);
  }

  /** `loop ... end` around what `body` writes. */
  loop(body: () => void): this {
    return this.#structured(Control.loop, body);
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
    const fn = [...uleb(nGroups), ...groups, ...this.code, Control.end];
    return [...uleb(fn.length), ...fn];
  }

  #structured(opcode: number, body: () => void): this {
    this.#emit(opcode, Control.emptyBlock);
    body();
    return this.#emit(Control.end);
  }

  #at(label: string): number {
    const i = this.#index.get(label);
    if (i === undefined) throw new Error(`wasm encoder: unknown local ${label}`);
    return i;
  }

  #emit(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }
}

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
    Control.funcType,
    ...uleb(fn.params.length),
    ...fn.paramTypes,
    0,
  ]);
  const sections: number[][] = [section(Section.type, [...uleb(functions.length), ...types])];
  let exports = functions.flatMap(({ name: n }, i) => [...name(n), 0x00, ...uleb(i)]);
  let exportCount = functions.length;
  if ("imported" in memory) {
    // limits: 0x03 = shared with a maximum (wasm32's largest), 0x00 = a minimum only
    const limits = memory.imported.shared ? [0x03, 0, ...uleb(65536)] : [0x00, 0];
    sections.push(section(Section.import, [1, ...name("env"), ...name("memory"), 0x02, ...limits]));
  }
  sections.push(
    section(Section.function, [...uleb(functions.length), ...functions.flatMap((_, i) => uleb(i))]),
  );
  if ("pages" in memory) {
    sections.push(section(Section.memory, [1, 0x00, ...uleb(memory.pages)]));
    exports = [...exports, ...name("memory"), 0x02, 0];
    exportCount++;
  }
  sections.push(section(Section.export, [...uleb(exportCount), ...exports]));
  const bodies = functions.flatMap(({ fn }) => fn.body());
  sections.push(section(Section.code, [...uleb(functions.length), ...bodies]));
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...sections.flat()]);
}
