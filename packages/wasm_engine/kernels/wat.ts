/**
 * A text listing (WebAssembly text format, WAT) of the modules the encoder writes, decoded from
 * their bytes: what a reviewer reads instead of the byte builders. It knows the instructions of
 * `encoder.ts` and no others; an unknown byte throws, so a listing never hides an instruction.
 * The golden listings of the engine's modules are in `tests/golden/` (`tests/wat_test.ts`).
 *
 * @module
 */
import {
  Control,
  MEMORY,
  PLAIN,
  Section,
  SIMD,
  SIMD_MEMORY,
  V128_CONST,
  ValType,
} from "./encoder.ts";

/** Options of {@linkcode wat}. */
export interface WatOptions {
  /** Names of each function's parameters and locals, by function index (`Fn.localNames()`). */
  localNames?: string[][];
}

const invert = (table: Record<string, number>) =>
  new Map<number, string>(Object.entries(table).map(([name, opcode]) => [opcode, name]));
const invertMemory = (table: Record<string, { opcode: number; align: number }>) =>
  new Map<number, { n: string; align: number }>(
    Object.entries(table).map(([n, { opcode, align }]) => [opcode, { n, align }]),
  );
const PLAIN_NAMES = invert(PLAIN);
const SIMD_NAMES = invert(SIMD);
const MEMORY_NAMES = invertMemory(MEMORY);
const SIMD_MEMORY_NAMES = invertMemory(SIMD_MEMORY);
const TYPE_NAMES = invert(ValType);

/** A cursor over a module's bytes. */
class Reader {
  at = 0;
  constructor(readonly bytes: Uint8Array) {}
  byte(): number {
    if (this.at >= this.bytes.length) throw new Error("wat: the module ends too early");
    return this.bytes[this.at++];
  }
  uleb(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if ((b & 0x80) === 0) return result;
    }
  }
  sleb(): number {
    let result = 0;
    let shift = 0;
    let b: number;
    do {
      b = this.byte();
      result |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    return shift < 32 && (b & 0x40) ? result | (-1 << shift) : result;
  }
  name(): string {
    const n = this.uleb();
    const text = new TextDecoder().decode(this.bytes.subarray(this.at, this.at + n));
    this.at += n;
    return text;
  }
  type(): string {
    const t = this.byte();
    const name = TYPE_NAMES.get(t);
    if (!name) throw new Error(`wat: unknown value type 0x${t.toString(16)}`);
    return name;
  }
}

/**
 * The WAT text of a module written by `moduleBytes` (types, the memory or its import, exports,
 * and every function's locals and instructions, indented by block depth).
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { Fn, moduleBytes } from "./encoder.ts";
 * import { wat } from "./wat.ts";
 * const f = new Fn(["p"]);
 * f.block(() => f.get("p").op("i32.eqz").brIf(0));
 * const text = wat(moduleBytes([{ name: "skip", fn: f }], { pages: 1 }), {
 *   localNames: [f.localNames()],
 * });
 * assertEquals(text, `(module
 *   (type (;0;) (func (param i32)))
 *   (memory (;0;) 1)
 *   (export "skip" (func 0))
 *   (export "memory" (memory 0))
 *   (func $skip (type 0) (param $p i32)
 *     block
 *       local.get $p
 *       i32.eqz
 *       br_if 0
 *     end
 *   )
 * )
 * `);
 * ```
 */
export function wat(bytes: Uint8Array, options: WatOptions = {}): string {
  const r = new Reader(bytes);
  const magic = Array.from(bytes.subarray(0, 8)).join(",");
  if (magic !== "0,97,115,109,1,0,0,0") throw new Error("wat: not a WebAssembly 1.0 module");
  r.at = 8;
  const lines = ["(module"];
  const types: string[][] = [];
  const functionTypes: number[] = [];
  const exportNames = new Map<number, string>();
  const bodies: string[][] = [];
  while (r.at < bytes.length) {
    const id = r.byte();
    const size = r.uleb();
    const end = r.at + size;
    if (id === Section.type) {
      const count = r.uleb();
      for (let i = 0; i < count; i++) {
        if (r.byte() !== Control.funcType) throw new Error("wat: a type that is not a function");
        const params = Array.from({ length: r.uleb() }, () => r.type());
        if (r.uleb() !== 0) throw new Error("wat: functions with results are not listed");
        types.push(params);
        lines.push(`  (type (;${i};) (func (param ${params.join(" ")})))`);
      }
    } else if (id === Section.import) {
      const count = r.uleb();
      for (let i = 0; i < count; i++) {
        const module = r.name();
        const field = r.name();
        if (r.byte() !== 0x02) throw new Error("wat: only a memory import is listed");
        const flags = r.byte();
        const min = r.uleb();
        const max = flags & 1 ? ` ${r.uleb()}` : "";
        const shared = flags & 2 ? " shared" : "";
        lines.push(`  (import "${module}" "${field}" (memory (;0;) ${min}${max}${shared}))`);
      }
    } else if (id === Section.function) {
      const count = r.uleb();
      for (let i = 0; i < count; i++) functionTypes.push(r.uleb());
    } else if (id === Section.memory) {
      const count = r.uleb();
      for (let i = 0; i < count; i++) {
        const flags = r.byte();
        const min = r.uleb();
        lines.push(`  (memory (;${i};) ${min}${flags & 1 ? ` ${r.uleb()}` : ""})`);
      }
    } else if (id === Section.export) {
      const count = r.uleb();
      for (let i = 0; i < count; i++) {
        const field = r.name();
        const kind = r.byte();
        const index = r.uleb();
        if (kind === 0) exportNames.set(index, field);
        lines.push(`  (export "${field}" (${kind === 0 ? "func" : "memory"} ${index}))`);
      }
    } else if (id === Section.code) {
      const count = r.uleb();
      for (let i = 0; i < count; i++) {
        const names = options.localNames?.[i];
        const type = functionTypes[i];
        bodies.push(functionBody(r, i, type, types[type], exportNames.get(i), names));
      }
    } else {
      throw new Error(`wat: section ${id} is not one the encoder writes`);
    }
    if (r.at !== end) throw new Error(`wat: section ${id} has ${end - r.at} bytes left over`);
  }
  return [...lines, ...bodies.flat(), ")", ""].join("\n");
}

function functionBody(
  r: Reader,
  index: number,
  typeIndex: number,
  params: string[],
  exported: string | undefined,
  names: string[] | undefined,
): string[] {
  const size = r.uleb();
  const end = r.at + size;
  const local = (i: number) => names?.[i] ? `$${names[i]}` : String(i);
  const head = [`  (func ${exported ? `$${exported}` : `(;${index};)`} (type ${typeIndex})`];
  const paramList = params.map((t, i) => names ? `(param ${local(i)} ${t})` : `(param ${t})`);
  const locals: string[] = [];
  const groups = r.uleb();
  let next = params.length;
  for (let g = 0; g < groups; g++) {
    const n = r.uleb();
    const type = r.type();
    for (let k = 0; k < n; k++) {
      locals.push(names ? `(local ${local(next)} ${type})` : `(local ${type})`);
      next++;
    }
  }
  const lines = [`${head[0]}${paramList.length ? ` ${paramList.join(" ")}` : ""}`];
  for (const l of locals) lines.push(`    ${l}`);
  let depth = 0;
  const say = (text: string) => lines.push(`${"  ".repeat(depth + 2)}${text}`);
  const offset = (at: number) => at === 0 ? "" : ` offset=${at}`;
  const memory = (name: string, natural: number) => {
    const align = r.uleb();
    const at = r.uleb();
    say(`${name}${offset(at)}${align === natural ? "" : ` align=${2 ** align}`}`);
  };
  while (r.at < end) {
    const op = r.byte();
    if (op === Control.block || op === Control.loop) {
      if (r.byte() !== Control.emptyBlock) throw new Error("wat: a block that leaves a value");
      say(op === Control.block ? "block" : "loop");
      depth++;
    } else if (op === Control.end) {
      if (depth === 0) {
        if (r.at !== end) throw new Error("wat: code after the function's end");
        break;
      }
      depth--;
      say("end");
    } else if (op === Control.brIf) say(`br_if ${r.uleb()}`);
    else if (op === Control.localGet) say(`local.get ${local(r.uleb())}`);
    else if (op === Control.localSet) say(`local.set ${local(r.uleb())}`);
    else if (op === Control.i32Const) say(`i32.const ${r.sleb()}`);
    else if (PLAIN_NAMES.has(op)) say(PLAIN_NAMES.get(op)!);
    else if (MEMORY_NAMES.has(op)) {
      const { n, align } = MEMORY_NAMES.get(op)!;
      memory(n, align);
    } else if (op === Control.simdPrefix) {
      const sub = r.uleb();
      if (sub === V128_CONST) {
        const words = Array.from({ length: 4 }, () => {
          const b = [r.byte(), r.byte(), r.byte(), r.byte()];
          return `0x${b.reverse().map((x) => x.toString(16).padStart(2, "0")).join("")}`;
        });
        say(`v128.const i32x4 ${words.join(" ")}`);
      } else if (SIMD_MEMORY_NAMES.has(sub)) {
        const { n, align } = SIMD_MEMORY_NAMES.get(sub)!;
        memory(n, align);
      } else if (SIMD_NAMES.has(sub)) say(SIMD_NAMES.get(sub)!);
      else throw new Error(`wat: unknown SIMD instruction 0x${sub.toString(16)}`);
    } else throw new Error(`wat: unknown instruction 0x${op.toString(16)}`);
  }
  if (r.at !== end) throw new Error("wat: a function body that does not end");
  lines.push("  )");
  return lines;
}
