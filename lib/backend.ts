/**
 * Choose and initialise the TensorFlow.js backend.
 *
 * Order tried by `initBackend()` in `auto` mode:
 * 1. `gpu`: `tensorflow` from `@tensorflow/tfjs-node-gpu` when it is installed and a CUDA device
 *    is visible;
 * 2. `webgpu`: tfjs's WebGPU kernels on Deno's built-in WebGPU, when it offers a hardware adapter
 *    (any GPU with Vulkan, Metal or Direct3D 12 drivers; see `backend_webgpu.ts`);
 * 3. `node`: `tensorflow` from `@tensorflow/tfjs-node` when it is installed;
 * 4. `wasm` from `@tensorflow/tfjs-backend-wasm`, with the course's training kernels registered;
 * 5. `cpu`, the pure-JavaScript fallback.
 *
 * The native packages are optional: they are never imported unless chosen and present on disk, so
 * a machine that cannot download libtensorflow (an offline classroom, CI) still trains on wasm.
 * A software WebGPU adapter (a CPU renderer such as llvmpipe) is never chosen automatically.
 * Pass `backend` to force one; entry points read the user's `COURSE_BACKEND` variable with
 * `courseOptionsFromEnv()` (`lib/notebook/setup.ts`) and pass it here.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { registerTrainingKernels, type TrainingKernelOptions } from "@gan/wasm-engine/kernels";
import { registerGradientFixes } from "./tfjs_fixes/mod.ts";
import { firstLine } from "./core/errors.ts";
import { pathExists } from "./core/fs.ts";
import { type GpuLike, probeWebGpu, registerWebGpuBackend } from "./backend_webgpu.ts";
import { installNodeUtilShims } from "./node_util_shims.ts";

/** A backend the course can ask for; `auto` picks the fastest that works. */
export type BackendChoice = "auto" | "gpu" | "webgpu" | "node" | "wasm" | "cpu";

/** One backend that `initBackend()` tried, and what happened. */
export interface BackendAttempt {
  /** The choice tried. */
  choice: Exclude<BackendChoice, "auto">;
  /** Whether it initialised. */
  ok: boolean;
  /** Why it was used or skipped, in words a student can act on. */
  message: string;
  /** For `webgpu`: whether the adapter is a real GPU. */
  hardware?: boolean;
  /** For `webgpu`: the adapter's vendor, architecture and description. */
  adapter?: string;
}

/** What `initBackend()` settled on, and why. */
export interface BackendInfo {
  /** The choice that won. */
  choice: Exclude<BackendChoice, "auto">;
  /** The tfjs backend name (`tensorflow`, `webgpu`, `wasm` or `cpu`). */
  tfBackend: string;
  /** True when training runs on a GPU (CUDA through tfjs-node-gpu, or a WebGPU hardware adapter). */
  gpu: boolean;
  /** The WebGPU adapter, when the `webgpu` backend runs. */
  adapter?: string;
  /** Where the choice came from: the `COURSE_BACKEND` variable, the options, or `auto`. */
  requestedBy: BackendRequester;
  /** Every backend tried, in order. */
  attempts: BackendAttempt[];
  /** The tfjs version. */
  tfjsVersion: string;
}

/** Who asked for the backend: the user's `COURSE_BACKEND` variable, the options, or nobody. */
export type BackendRequester = "env" | "options" | "auto";

/** Options of {@linkcode initBackend}. */
export interface InitBackendOptions {
  /** Which backend to use. Default `auto`. */
  backend?: BackendChoice;
  /**
   * Who chose `backend`: `env` when an entry point read it from `COURSE_BACKEND` (the messages
   * then name the variable). Default `options` (or `auto` when `backend` is `auto` or unset).
   */
  requestedBy?: Exclude<BackendRequester, "auto">;
  /** Print one line saying which backend runs and why. Default `false`. */
  verbose?: boolean;
  /** The WebGPU entry point to use instead of `navigator.gpu` (tests pass fake adapters). */
  gpu?: GpuLike;
  /**
   * On the wasm backend, install the training kernels of the `@gan/wasm-engine` package (options
   * for them, or `true`), or leave tfjs-backend-wasm stock (`false`: it cannot train a conv net).
   * Default `true`.
   */
  trainingKernels?: boolean | TrainingKernelOptions;
}

/** Every value of {@linkcode BackendChoice}, `auto` first. */
export const BACKEND_CHOICES: readonly BackendChoice[] = [
  "auto",
  "gpu",
  "webgpu",
  "node",
  "wasm",
  "cpu",
];
const NATIVE_PACKAGES = {
  gpu: "@tensorflow/tfjs-node-gpu",
  node: "@tensorflow/tfjs-node",
} as const;

let current: BackendInfo | undefined;

/**
 * Initialise the best available backend (or the one asked for) and register the course's kernels.
 *
 * Calling it again returns the first result unless a different backend is asked for.
 *
 * @example Use the pure-JavaScript backend
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { initBackend } from "./backend.ts";
 * const info = await initBackend({ backend: "cpu" });
 * assertEquals(info.tfBackend, "cpu");
 * ```
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  const fromEnv = options.requestedBy === "env";
  const raw = options.backend ?? "auto";
  if (!BACKEND_CHOICES.includes(raw as BackendChoice)) {
    throw new Error(
      `Cannot initialise backend: ${fromEnv ? "COURSE_BACKEND" : "backend"} must be one of ` +
        `${BACKEND_CHOICES.join(", ")}, got "${raw}"`,
    );
  }
  const choice = raw as BackendChoice;
  // tfjs takes Deno for Node.js and prints a red "install our node backend" banner into every
  // notebook, advice that does not apply here (see the README's backends). Its PROD flag silences
  // tfjs's console warnings; the course's own messages (and WebGPU errors) still print.
  tf.env().set("PROD", true);
  const requestedBy: BackendRequester = choice === "auto" ? "auto" : fromEnv ? "env" : "options";
  if (current && (choice === "auto" || choice === current.choice)) return current;

  const order: Exclude<BackendChoice, "auto">[] = choice === "auto"
    ? ["gpu", "webgpu", "node", "wasm", "cpu"]
    : [choice];
  const attempts: BackendAttempt[] = [];
  for (const candidate of order) {
    const attempt = await tryBackend(candidate, choice === candidate, options.gpu);
    attempts.push(attempt);
    if (attempt.ok) {
      registerGradientFixes();
      if (candidate === "wasm" && options.trainingKernels !== false) {
        registerTrainingKernels(options.trainingKernels === true ? {} : options.trainingKernels);
      } else if (candidate === "wasm") {
        attempt.message = "WebAssembly with SIMD, one thread, stock kernels (training kernels off)";
      }
      current = {
        choice: candidate,
        tfBackend: tf.getBackend(),
        gpu: candidate === "gpu" || (candidate === "webgpu" && attempt.hardware === true),
        adapter: attempt.adapter,
        requestedBy,
        attempts,
        tfjsVersion: tf.version.tfjs,
      };
      if (options.verbose) console.log(describeBackend(current));
      return current;
    }
  }
  const tried = attempts.map((a) => `  ${a.choice}: ${a.message}`).join("\n");
  throw new Error(
    `Cannot initialise backend "${choice}":\n${tried}\n` +
      (fromEnv
        ? `Unset COURSE_BACKEND or set it to "auto" to fall back to the wasm backend.`
        : `Ask for backend "auto" to fall back to the wasm backend.`),
  );
}

/**
 * The backend chosen by the last {@linkcode initBackend} call, or `undefined` before one.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { currentBackend, initBackend } from "./backend.ts";
 * await initBackend({ backend: "cpu" });
 * assertEquals(currentBackend()?.choice, "cpu");
 * ```
 */
export function currentBackend(): BackendInfo | undefined {
  return current;
}

/**
 * One line saying which backend runs and why.
 *
 * @example
 * ```ts
 * import { match as assertMatch } from "node:assert/strict";
 * import { describeBackend, initBackend } from "./backend.ts";
 * const line = describeBackend(await initBackend({ backend: "cpu" }));
 * assertMatch(line, /^Backend: cpu \(tfjs 4\.22\.0, forced by the backend option\): pure JavaScript/);
 * ```
 */
export function describeBackend(info: BackendInfo): string {
  const used = info.attempts[info.attempts.length - 1];
  const skipped = info.attempts.slice(0, -1).map((a) => `${a.choice} skipped (${a.message})`);
  const why = info.requestedBy === "auto"
    ? "chosen automatically"
    : `forced by ${info.requestedBy === "env" ? "COURSE_BACKEND" : "the backend option"}`;
  return [`Backend: ${info.choice} (tfjs ${info.tfjsVersion}, ${why}): ${used.message}`, ...skipped]
    .join("\n  ");
}

/** What the machine says about CUDA, for the doctor and for error messages. */
export interface CudaReport {
  /** Whether `nvidia-smi` ran and listed a GPU. */
  gpuVisible: boolean;
  /** The GPU names `nvidia-smi` printed. */
  gpus: string[];
  /** The driver's CUDA version, when `nvidia-smi` printed one. */
  cudaVersion?: string;
  /** Why no GPU is visible, when none is. */
  message: string;
}

/**
 * Ask `nvidia-smi` which GPUs and CUDA version the machine has. Never throws.
 *
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { detectCuda } from "./backend.ts";
 * const cuda = await detectCuda();
 * assert(cuda.gpuVisible ? cuda.gpus.length > 0 : cuda.gpus.length === 0 && cuda.message !== "");
 * ```
 */
export async function detectCuda(): Promise<CudaReport> {
  try {
    const out = await new Deno.Command("nvidia-smi", { stdout: "piped", stderr: "piped" }).output();
    const text = new TextDecoder().decode(out.stdout);
    if (!out.success) {
      return { gpuVisible: false, gpus: [], message: "nvidia-smi failed: no usable NVIDIA driver" };
    }
    const cudaVersion = text.match(/CUDA Version:\s*([\d.]+)/)?.[1];
    const list = await new Deno.Command("nvidia-smi", {
      args: ["--query-gpu=name", "--format=csv,noheader"],
      stdout: "piped",
      stderr: "null",
    }).output();
    const gpus = new TextDecoder().decode(list.stdout).split("\n").map((s) => s.trim()).filter(
      Boolean,
    );
    return {
      gpuVisible: gpus.length > 0,
      gpus,
      cudaVersion,
      message: gpus.length > 0 ? `found ${gpus.join(", ")}` : "nvidia-smi lists no GPU",
    };
  } catch {
    return { gpuVisible: false, gpus: [], message: "no nvidia-smi on PATH: no NVIDIA GPU driver" };
  }
}

/**
 * Where an optional native tfjs package would be installed, and whether its native binding is there.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { nativePackageStatus } from "./backend.ts";
 * const status = await nativePackageStatus("node");
 * assertEquals(status.packageName, "@tensorflow/tfjs-node");
 * assertEquals(typeof status.installed, "boolean");
 * ```
 */
export async function nativePackageStatus(
  which: "gpu" | "node",
): Promise<{ packageName: string; installed: boolean; binding?: string; message: string }> {
  const packageName = NATIVE_PACKAGES[which];
  const dir = `${projectRoot()}/node_modules/${packageName}`;
  if (!(await pathExists(`${dir}/package.json`))) {
    return {
      packageName,
      installed: false,
      message: `${packageName} is not installed (optional; \`deno task install-gpu\` installs it ` +
        `where libtensorflow can be downloaded)`,
    };
  }
  const binding = await findBinding(`${dir}/lib`);
  if (!binding) {
    return {
      packageName,
      installed: false,
      message: `${packageName} is present but its native binding (lib/napi-v*/tfjs_binding.node) ` +
        `is missing: its install script did not finish; run \`deno task install-gpu\` again`,
    };
  }
  return { packageName, installed: true, binding, message: `${packageName} binding at ${binding}` };
}

async function tryBackend(
  choice: Exclude<BackendChoice, "auto">,
  forced: boolean,
  gpu: GpuLike | undefined,
): Promise<BackendAttempt> {
  try {
    if (choice === "gpu" || choice === "node") return await tryNative(choice);
    if (choice === "webgpu") return await tryWebGpu(forced, gpu);
    const ok = await tf.setBackend(choice);
    await tf.ready();
    if (!ok) return { choice, ok: false, message: `tf.setBackend("${choice}") returned false` };
    const detail = choice === "wasm"
      ? "WebAssembly with SIMD, one thread, the wasm engine's training kernels registered"
      : "pure JavaScript: slow, use it only to check results";
    return { choice, ok: true, message: detail };
  } catch (error) {
    return { choice, ok: false, message: firstLine(error) };
  }
}

/**
 * WebGPU: a hardware adapter, or any adapter when forced. The probe and the device use separate
 * `requestAdapter()` calls (Deno lets an adapter make one device).
 */
async function tryWebGpu(forced: boolean, gpu: GpuLike | undefined): Promise<BackendAttempt> {
  const entry = gpu ?? (globalThis.navigator as { gpu?: GpuLike } | undefined)?.gpu;
  const report = await probeWebGpu(entry);
  const base = { choice: "webgpu" as const, hardware: report.hardware, adapter: report.adapter };
  if (!report.found || (!report.hardware && !forced)) {
    return { ...base, ok: false, message: report.message };
  }
  const lastError = await registerWebGpuBackend(entry);
  const ok = await tf.setBackend("webgpu");
  if (!ok) {
    const why = lastError() ?? "tf.setBackend returned false";
    return { ...base, ok: false, message: `no WebGPU device on ${report.adapter}: ${why}` };
  }
  await tf.ready();
  return {
    ...base,
    ok: true,
    message: report.hardware
      ? `WebGPU on ${report.adapter}`
      : `WebGPU on a software adapter (${report.adapter}): correct but slow, for tests only`,
  };
}

async function tryNative(choice: "gpu" | "node"): Promise<BackendAttempt> {
  const status = await nativePackageStatus(choice);
  if (!status.installed) return { choice, ok: false, message: status.message };
  if (choice === "gpu") {
    const cuda = await detectCuda();
    if (!cuda.gpuVisible) return { choice, ok: false, message: cuda.message };
  }
  // tfjs-node 4.22 calls node:util functions that Deno's node:util no longer has.
  installNodeUtilShims();
  // A computed specifier keeps `deno check` and the module graph free of the optional package.
  const specifier = `${projectRoot()}/node_modules/${status.packageName}/dist/index.js`;
  try {
    await import(specifier);
  } catch (error) {
    return {
      choice,
      ok: false,
      message: `${status.packageName} failed to load (${firstLine(error)}). It needs ` +
        `libtensorflow 2.9.1; the GPU build also needs CUDA 11.2 and cuDNN 8.1 (with CUDA 12 it ` +
        `falls back to CPU).`,
    };
  }
  const ok = await tf.setBackend("tensorflow");
  await tf.ready();
  if (!ok) {
    return { choice, ok: false, message: `${status.packageName} loaded but did not register` };
  }
  return {
    choice,
    ok: true,
    message: choice === "gpu"
      ? "TensorFlow C library on the CUDA GPU"
      : "TensorFlow C library on the CPU",
  };
}

async function findBinding(libDir: string): Promise<string | undefined> {
  try {
    for await (const entry of Deno.readDir(libDir)) {
      const candidate = `${libDir}/${entry.name}/tfjs_binding.node`;
      if (entry.isDirectory && entry.name.startsWith("napi-v") && await pathExists(candidate)) {
        return candidate;
      }
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** The folder that holds deno.json (the project root), from this file's location. */
function projectRoot(): string {
  return new URL("..", import.meta.url).pathname.replace(/\/$/, "");
}
