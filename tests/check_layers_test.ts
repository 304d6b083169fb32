import { deepStrictEqual as assertEquals, match as assertMatch } from "node:assert/strict";
import { checkProject, layerViolations } from "../scripts/check_layers.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

Deno.test("checkProject(): lib/ and the engine package keep their layers", async () => {
  assertEquals(await checkProject(ROOT), []);
});

Deno.test("layerViolations() catches a planted upward import in a copy of the real tree", async () => {
  const loop = await Deno.readTextFile(`${ROOT}/lib/train/loop.ts`);
  const planted = `import { createVariant } from "../variants/mod.ts";\n${loop}`;
  const found = layerViolations({ "lib/train/loop.ts": planted });
  assertEquals(found.length, 1);
  assertEquals(found[0].specifier, "../variants/mod.ts");
  assertMatch(found[0].message, /upward import: train \(layer 8\) imports variants \(layer 9\)/);
  // The same import through the package's name is the same edge.
  const viaMap = layerViolations({
    "lib/io/fs.ts": `export { train } from "@course/lib/train";`,
  });
  assertMatch(viaMap[0].message, /io \(layer 2\) imports train/);
});

Deno.test("layerViolations(): the engine imports no course code, and the course reaches it through its seams", () => {
  const found = layerViolations({
    "packages/wasm_engine/parallel/worker.ts":
      `const m = await import("../../../lib/variants/mod.ts");`,
    "packages/wasm_engine/kernels/gemm.ts": `import { x } from "./encoder.ts";`,
    "lib/train/loop.ts": `import { startDataParallel } from "@gan/wasm-engine/parallel";`,
    "lib/backend.ts": `import { registerTrainingKernels } from "@gan/wasm-engine/kernels";`,
  });
  assertEquals(found.map((v) => v.file), [
    "packages/wasm_engine/parallel/worker.ts",
    "lib/train/loop.ts",
  ]);
  assertMatch(found[0].message, /engine package must not import the course/);
  assertMatch(found[1].message, /only lib\/backend.ts, .* may import the engine package/);
});

Deno.test("layerViolations(): comments and doc examples are not imports; a new folder needs a layer", () => {
  const documented = `/**
 * @example
 * \`\`\`ts
 * import { createVariant } from "@course/lib/variants";
 * \`\`\`
 */
// import { train } from "../train/loop.ts";
export const x = "import { y } from '../variants/mod.ts'";`;
  assertEquals(layerViolations({ "lib/io/example.ts": documented }), []);
  const stray = layerViolations({ "lib/experiments/try.ts": "export const a = 1;" });
  assertMatch(stray[0].message, /in no area; give its folder a layer/);
});
