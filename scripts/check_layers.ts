/**
 * The layering check (a phase of `deno task test`): imports between the areas of `lib/` point
 * down only, the wasm engine package imports nothing of `lib/`, and the course reaches the engine
 * only through its seams.
 *
 * The layers, lowest first (a file may import its own area and any area of a lower layer):
 *
 * | layer | areas | what |
 * | --- | --- | --- |
 * | 0 | `engine` | `packages/wasm_engine/`: the wasm training engine; imports npm packages only |
 * | 1 | `core` | `lib/core/`, `lib/node_util_shims.ts`, `lib/tensor_read.ts` |
 * | 2 | `io` | `lib/io/`: checkpoints and model files |
 * | 3 | `data` | `lib/data/`: datasets and their random order |
 * | 4 | `backend` | `lib/backend.ts`, `lib/backend_webgpu.ts`, `lib/tfjs_fixes/`, `lib/profile.ts` |
 * | 5 | `models` | `lib/models/`, `lib/latent.ts` |
 * | 6 | `losses` | `lib/losses.ts`, `lib/mutual_information.ts`, `lib/vae_loss.ts` |
 * | 7 | `viz` | `lib/viz/`: grids, plots, Jupyter display |
 * | 8 | `train` | `lib/train/`: the loop, its callbacks, the executor seam |
 * | 9 | `variants` | `lib/variants/`: the registry, the data-parallel executor |
 * | 10 | `metrics` | `lib/metrics/`, `lib/inversion.ts`, `lib/inversion_encoder.ts` |
 * | 11 | `notebook` | `lib/notebook/`, `lib/results.ts` |
 * | 12 | `face` | `lib/mod.ts`, which re-exports the areas |
 *
 * The engine's seams: only {@linkcode ENGINE_SEAMS} import `@gan/wasm-engine` (the kernels from
 * `initBackend`, the workers from the data-parallel executor). Doc examples (comments) are not
 * imports and are not checked. A file of `lib/` outside every area fails the check, so a new area
 * gets its layer here.
 *
 * Usage: `deno run -A scripts/check_layers.ts` (exit code 1 and one line per upward import).
 *
 * @module
 */
import libConfig from "../lib/deno.json" with { type: "json" };

/** The areas from the lowest layer to the highest (index = layer). */
export const LAYERS = [
  "engine",
  "core",
  "io",
  "data",
  "backend",
  "models",
  "losses",
  "viz",
  "train",
  "variants",
  "metrics",
  "notebook",
  "face",
] as const;

/** An area of the code. */
export type Area = typeof LAYERS[number];

/** Files of `lib/` whose area is not their folder's (or that sit at the top of `lib/`). */
const FILE_AREAS: Readonly<Record<string, Area>> = {
  "lib/node_util_shims.ts": "core",
  "lib/tensor_read.ts": "core",
  "lib/backend.ts": "backend",
  "lib/backend_webgpu.ts": "backend",
  "lib/profile.ts": "backend",
  "lib/latent.ts": "models",
  "lib/losses.ts": "losses",
  "lib/mutual_information.ts": "losses",
  "lib/vae_loss.ts": "losses",
  "lib/inversion.ts": "metrics",
  "lib/inversion_encoder.ts": "metrics",
  "lib/results.ts": "notebook",
  "lib/mod.ts": "face",
};

/** Folders of `lib/` and their areas. */
const FOLDER_AREAS: Readonly<Record<string, Area>> = {
  core: "core",
  io: "io",
  data: "data",
  tfjs_fixes: "backend",
  models: "models",
  viz: "viz",
  train: "train",
  variants: "variants",
  metrics: "metrics",
  notebook: "notebook",
};

/** The only course files that may import the engine package. */
export const ENGINE_SEAMS: readonly string[] = [
  "lib/backend.ts",
  "lib/variants/data_parallel.ts",
  "lib/variants/replica.ts",
];

const ENGINE_DIR = "packages/wasm_engine/";
const ENGINE_NAME = "@gan/wasm-engine";
/** The course library's package name (`@course/lib`) and its exports map, from `lib/deno.json`. */
const LIB_NAME = libConfig.name;
const LIB_EXPORTS: Readonly<Record<string, string>> = libConfig.exports;

/**
 * The area of a project file (a path relative to the project root, with `/`), `undefined` for
 * files outside `lib/` and the engine package.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { areaOf } from "./check_layers.ts";
 * assertEquals(areaOf("lib/train/loop.ts"), "train");
 * assertEquals(areaOf("lib/tensor_read.ts"), "core");
 * assertEquals(areaOf("packages/wasm_engine/kernels/gemm.ts"), "engine");
 * assertEquals(areaOf("scripts/train.ts"), undefined);
 * ```
 */
export function areaOf(path: string): Area | undefined {
  if (path.startsWith(ENGINE_DIR)) return "engine";
  if (!path.startsWith("lib/")) return undefined;
  if (Object.hasOwn(FILE_AREAS, path)) return FILE_AREAS[path];
  const folder = path.split("/")[1];
  return Object.hasOwn(FOLDER_AREAS, folder) ? FOLDER_AREAS[folder] : undefined;
}

/**
 * `source` without comments, every string literal replaced by a placeholder `"#n"` (so that code
 * quoted in a string is not scanned), and the literals by number.
 */
function tokenize(source: string): { code: string; literals: string[] } {
  const literals: string[] = [];
  let code = "";
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    const next = source[i + 1];
    if (c === "/" && next === "/") {
      while (i < source.length && source[i] !== "\n") i++;
    } else if (c === "/" && next === "*") {
      const end = source.indexOf("*/", i + 2);
      i = end < 0 ? source.length : end + 2;
      code += " ";
    } else if (c === '"' || c === "'" || c === "`") {
      let j = i + 1;
      while (j < source.length && source[j] !== c) j += source[j] === "\\" ? 2 : 1;
      code += `"#${literals.length}"`;
      literals.push(source.slice(i + 1, j));
      i = j + 1;
    } else {
      code += c;
      i++;
    }
  }
  return { code, literals };
}

/**
 * The module specifiers a file refers to, in order: static imports and re-exports,
 * `import("...")` with a literal, and `new URL("....ts", import.meta.url)` (how workers and
 * replica modules are named; data folders named this way are not modules). Comments and code
 * quoted in strings are skipped.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { importsOf } from "./check_layers.ts";
 * const source = `import * as tf from "@tensorflow/tfjs";
 * // import { no } from "../not_this.ts";
 * export { train } from "./loop.ts";
 * const quoted = "import { no } from '../nor_this.ts'";
 * const worker = new URL("./worker.ts", import.meta.url);
 * const folder = new URL("../../data/", import.meta.url);`;
 * assertEquals(importsOf(source), ["@tensorflow/tfjs", "./loop.ts", "./worker.ts"]);
 * ```
 */
export function importsOf(source: string): string[] {
  const { code, literals } = tokenize(source);
  const patterns = [
    /\b(?:import|export)\b[^";]*?\bfrom\s*"#(\d+)"/g,
    /\bimport\s*"#(\d+)"/g,
    /\bimport\s*\(\s*"#(\d+)"\s*\)/g,
    /\bnew\s+URL\s*\(\s*"#(\d+)"\s*,\s*import\.meta\.url\s*\)/g,
  ];
  const found: Array<[number, string]> = [];
  for (const pattern of patterns) {
    for (const match of code.matchAll(pattern)) {
      const specifier = literals[Number(match[1])];
      const isUrl = match[0].startsWith("new");
      if (!isUrl || /\.[mc]?[jt]s$/.test(specifier)) found.push([match.index, specifier]);
    }
  }
  return found.sort((a, b) => a[0] - b[0]).map(([, specifier]) => specifier);
}

/** The project path a specifier of `from` points to, `engine` for the package name, or `undefined`. */
function resolve(from: string, specifier: string): string | undefined {
  if (specifier === ENGINE_NAME || specifier.startsWith(`${ENGINE_NAME}/`)) return ENGINE_DIR;
  if (specifier === LIB_NAME || specifier.startsWith(`${LIB_NAME}/`)) {
    const file = LIB_EXPORTS[`.${specifier.slice(LIB_NAME.length)}`];
    return file === undefined ? undefined : `lib/${file.replace(/^\.\//, "")}`;
  }
  if (!specifier.startsWith("./") && !specifier.startsWith("../")) return undefined;
  const parts = from.split("/").slice(0, -1);
  for (const part of specifier.split("/")) {
    if (part === "..") parts.pop();
    else if (part !== ".") parts.push(part);
  }
  return parts.join("/");
}

/** One import that breaks the layering. */
export interface LayerViolation {
  /** The importing file. */
  file: string;
  /** The specifier as written. */
  specifier: string;
  /** What is wrong, in words. */
  message: string;
}

/**
 * Every import of `files` (project path -> source) that breaks the layering: an upward import, an
 * import of `lib/` from the engine package, an import of the engine outside its seams, a file of
 * `lib/` in no area.
 *
 * @example A planted upward import is caught
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { layerViolations } from "./check_layers.ts";
 * const found = layerViolations({
 *   "lib/train/loop.ts": `import { createVariant } from "../variants/mod.ts";`,
 *   "lib/variants/dcgan.ts": `import { train } from "../train/loop.ts";`,
 * });
 * assertEquals(found.map((v) => v.file), ["lib/train/loop.ts"]);
 * ```
 */
export function layerViolations(files: Readonly<Record<string, string>>): LayerViolation[] {
  const violations: LayerViolation[] = [];
  for (const [file, source] of Object.entries(files)) {
    const area = areaOf(file);
    if (area === undefined) {
      if (file.startsWith("lib/")) {
        violations.push({
          file,
          specifier: "",
          message: `${file} is in no area; give its folder a layer in scripts/check_layers.ts`,
        });
      }
      continue;
    }
    for (const specifier of importsOf(source)) {
      const target = resolve(file, specifier);
      if (target === undefined) continue;
      const targetArea = areaOf(target);
      const say = (message: string) => violations.push({ file, specifier, message });
      if (area === "engine") {
        if (targetArea !== "engine") {
          say(`the engine package must not import the course (${specifier})`);
        }
      } else if (targetArea === "engine") {
        if (!ENGINE_SEAMS.includes(file)) {
          say(
            `only ${ENGINE_SEAMS.join(", ")} may import the engine package; reach it through ` +
              `initBackend() or the data-parallel executor`,
          );
        }
      } else if (targetArea === undefined) {
        if (target.startsWith("lib/")) say(`imports ${target}, which is in no area of lib/`);
      } else if (LAYERS.indexOf(targetArea) > LAYERS.indexOf(area)) {
        say(
          `upward import: ${area} (layer ${LAYERS.indexOf(area)}) imports ${targetArea} ` +
            `(layer ${LAYERS.indexOf(targetArea)}); move the shared code down, or pass it in`,
        );
      }
    }
  }
  return violations;
}

/** Every `.ts` file under `dir` (relative to `root`), as project paths. */
async function tsFiles(root: string, dir: string): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(`${root}/${dir}`)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) files.push(...await tsFiles(root, path));
    else if (entry.isFile && entry.name.endsWith(".ts")) files.push(path);
  }
  return files.sort();
}

/**
 * Read `lib/` and the engine package under `root` and return their layer violations.
 *
 * @example The project keeps its layers
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { checkProject } from "./check_layers.ts";
 * assertEquals(await checkProject(new URL("..", import.meta.url).pathname), []);
 * ```
 */
export async function checkProject(root: string): Promise<LayerViolation[]> {
  const paths = [...await tsFiles(root, "lib"), ...await tsFiles(root, "packages/wasm_engine")];
  const files: Record<string, string> = {};
  for (const path of paths) files[path] = await Deno.readTextFile(`${root}/${path}`);
  return layerViolations(files);
}

if (import.meta.main) {
  const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
  const violations = await checkProject(root);
  for (const v of violations) {
    console.error(`${v.file}: ${v.specifier ? `"${v.specifier}": ` : ""}${v.message}`);
  }
  console.log(
    violations.length === 0
      ? "layers: no upward import between the areas of lib/ and the engine package"
      : `layers: ${violations.length} import(s) break the layering (scripts/check_layers.ts)`,
  );
  Deno.exit(violations.length === 0 ? 0 : 1);
}
