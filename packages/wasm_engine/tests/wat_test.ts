// Golden text listings (WAT) of every module the engine generates: a change to a kernel's code
// shows up as a reviewable diff of tests/golden/*.wat. After an intended change, rewrite them with
// `UPDATE_GOLDEN=1 deno test -A packages/wasm_engine/tests/wat_test.ts` and read the diff.
import { deepStrictEqual as assertEquals, ok as assert, throws } from "node:assert/strict";
import { type Fn, moduleBytes, type ModuleMemory } from "../kernels/encoder.ts";
import { elementwiseFunctions } from "../kernels/elementwise.ts";
import { gemmFunctions } from "../kernels/gemm.ts";
import { wat } from "../kernels/wat.ts";

const MODULES: Array<[string, () => { name: string; fn: Fn }[], ModuleMemory]> = [
  ["gemm_fused", () => gemmFunctions(true), { pages: 16 }],
  ["gemm_unfused", () => gemmFunctions(false), { pages: 16 }],
  ["elementwise", elementwiseFunctions, { imported: { shared: false } }],
];

const update = Deno.env.get("UPDATE_GOLDEN") === "1";

for (const [name, functions, memory] of MODULES) {
  Deno.test(`the ${name} module matches its golden listing tests/golden/${name}.wat`, async () => {
    const fns = functions();
    const bytes = moduleBytes(fns, memory);
    assert(WebAssembly.validate(bytes), `${name} does not validate`);
    const text = wat(bytes, { localNames: fns.map(({ fn }) => fn.localNames()) });
    const path = new URL(`./golden/${name}.wat`, import.meta.url);
    if (update) await Deno.writeTextFile(path, text);
    assertEquals(text, await Deno.readTextFile(path));
  });
}

Deno.test("wat() refuses bytes it cannot list rather than hide them", () => {
  const bytes = moduleBytes(gemmFunctions(true), { pages: 16 });
  throws(() => wat(bytes.slice(4)), /not a WebAssembly 1.0 module/);
  const corrupt = bytes.slice();
  corrupt[corrupt.length - 2] = 0xc4; // an instruction the encoder never writes
  throws(() => wat(corrupt), /unknown instruction 0xc4|code after|does not end/);
});
