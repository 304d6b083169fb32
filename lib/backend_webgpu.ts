/**
 * The `webgpu` backend: TensorFlow.js's WebGPU kernels on the WebGPU that Deno has built in
 * (`navigator.gpu`), which reaches NVIDIA, AMD and Intel GPUs through Vulkan, Apple GPUs through
 * Metal and Windows GPUs through Direct3D 12, with nothing to install beyond npm packages.
 *
 * Three steps, each its own function so that tests can drive it with fake adapters:
 * 1. {@linkcode probeWebGpu} asks for an adapter and describes it (vendor, architecture,
 *    description, key limits), and says whether it is a software adapter (Mesa's llvmpipe or
 *    lavapipe, SwiftShader, WARP, or one that reports `isFallbackAdapter`). `initBackend()` never
 *    picks a software adapter by itself: on a CPU it is slower than the wasm backend. Forcing it
 *    (`COURSE_BACKEND=webgpu`) is how the tests run the GPU code path on a machine without a GPU.
 * 2. {@linkcode registerWebGpuBackend} registers tfjs's `WebGPUBackend` under the name `webgpu`
 *    with a device of our own making, around two traps of Deno's WebGPU: tfjs 4.22 passes
 *    `requiredFeatures` with a nested array (`[["bgra8unorm-storage"]]`), which Deno rejects
 *    (denoland/webgpu-examples#22), so the features are requested as a flat list of those the
 *    adapter has; and an adapter that has handed out a device cannot hand out another
 *    (denoland/deno#28135), so each device comes from a fresh `requestAdapter()` call, never from
 *    the adapter the probe described.
 * 3. Synchronous reads (`dataSync()`, `arraySync()`) of a tensor that lives on the GPU throw under
 *    Deno (tfjs-webgpu reads synchronously through an OffscreenCanvas, which Deno lacks). The
 *    registered backend replaces tfjs's cryptic "reading 'clearRect'" error with one that says
 *    what to write instead (`await t.data()`). The course's training loop, callbacks and metrics
 *    read asynchronously.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { pathExists } from "./core/fs.ts";

/** The parts of a `GPUAdapter` the course reads (a real adapter, or a test's fake). */
export interface AdapterLike {
  /** Vendor, architecture, description; Deno also puts `isFallbackAdapter` here. */
  readonly info?: {
    vendor?: string;
    architecture?: string;
    device?: string;
    description?: string;
    isFallbackAdapter?: boolean;
  };
  /** The standard place of the fallback flag (older implementations). */
  readonly isFallbackAdapter?: boolean;
  /** Optional features, e.g. `timestamp-query`. */
  readonly features: { has(name: string): boolean };
  /** Limits; the course reads the ones tfjs asks for. */
  readonly limits: Record<string, number> | GPUSupportedLimits;
  /** Make a device. */
  requestDevice(descriptor?: GPUDeviceDescriptor): Promise<unknown>;
}

/** The parts of `navigator.gpu` the course uses. */
export interface GpuLike {
  /** Ask for an adapter; resolves to `null` when there is none. */
  requestAdapter(options?: GPURequestAdapterOptions): Promise<AdapterLike | null>;
}

/** What {@linkcode probeWebGpu} found. */
export interface WebGpuReport {
  /** True when an adapter was found (hardware or software). */
  found: boolean;
  /** True when the adapter is a real GPU, the only kind `initBackend()` picks by itself. */
  hardware: boolean;
  /** The adapter's vendor, architecture and description, as one line. */
  adapter?: string;
  /** The limits tfjs asks for, from the adapter. */
  limits?: Record<string, number>;
  /** In words: what was found, or why nothing was, and what to install. */
  message: string;
}

/** Vendor names of the PCI vendor numbers that some drivers report instead (in decimal). */
const PCI_VENDORS: Record<string, string> = {
  "4318": "nvidia",
  "4098": "amd",
  "32902": "intel",
  "4203": "apple",
  "65541": "mesa",
};

/** Adapter descriptions of software renderers: a CPU pretending to be a GPU. */
const SOFTWARE_ADAPTERS = /llvmpipe|lavapipe|softpipe|swiftshader|basic render|warp|software/i;

/**
 * The adapter limits the course requests for its device: the ones tfjs-webgpu 4.22 requests, and
 * the number of storage buffers per shader (tfjs's AddN binds one per input, and fails past it).
 */
const WEBGPU_LIMITS = [
  "maxStorageBuffersPerShaderStage",
  "maxComputeWorkgroupStorageSize",
  "maxComputeWorkgroupsPerDimension",
  "maxStorageBufferBindingSize",
  "maxBufferSize",
  "maxComputeWorkgroupSizeX",
  "maxComputeInvocationsPerWorkgroup",
] as const;

/** Optional features tfjs-webgpu uses when the adapter has them. */
const OPTIONAL_FEATURES = ["timestamp-query", "bgra8unorm-storage"] as const;

/**
 * Ask `gpu` (default `navigator.gpu`; `null`: none) for an adapter and describe it. Never throws:
 * a missing `navigator.gpu`, a `null` adapter or a failing call are reported in `message`, with the
 * packages to install.
 *
 * @example A fake software adapter is found but is not hardware
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { probeWebGpu } from "./backend_webgpu.ts";
 * const gpu = {
 *   requestAdapter: () => Promise.resolve({
 *     info: { vendor: "mesa", description: "llvmpipe (LLVM 15.0.6, 256 bits)" },
 *     features: new Set<string>(),
 *     limits: { maxBufferSize: 1024 },
 *     requestDevice: () => Promise.resolve({}),
 *   }),
 * };
 * const report = await probeWebGpu(gpu);
 * assertEquals([report.found, report.hardware], [true, false]);
 * ```
 */
export async function probeWebGpu(
  gpu: GpuLike | null | undefined = defaultGpu(),
): Promise<WebGpuReport> {
  if (!gpu) {
    return {
      found: false,
      hardware: false,
      message: "this Deno has no WebGPU (navigator.gpu is missing); use Deno 2 or newer",
    };
  }
  let adapter: AdapterLike | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
  } catch (error) {
    return {
      found: false,
      hardware: false,
      message: `requestAdapter() failed (${error instanceof Error ? error.message : error}). ` +
        await driverAdvice(),
    };
  }
  if (!adapter) {
    return {
      found: false,
      hardware: false,
      message: `WebGPU found no adapter. ${await driverAdvice()}`,
    };
  }
  const info = adapter.info ?? {};
  const vendor = PCI_VENDORS[info.vendor ?? ""] ?? info.vendor;
  const description = [vendor, info.architecture, info.description]
    .filter((s) => s && s.trim()).join(", ") || "an adapter that does not describe itself";
  const limits = adapterLimits(adapter);
  const fallback = info.isFallbackAdapter === true || adapter.isFallbackAdapter === true;
  const software = fallback || SOFTWARE_ADAPTERS.test(`${info.description} ${info.device}`);
  return {
    found: true,
    hardware: !software,
    adapter: description,
    limits,
    message: software
      ? `only a software adapter (${description}): the GPU code path runs on the CPU, slower ` +
        `than wasm; COURSE_BACKEND=webgpu forces it (for tests)`
      : `GPU adapter ${description}`,
  };
}

/**
 * The device descriptor the course asks for: the optional features the adapter has, as a flat
 * list (Deno rejects tfjs's nested one), and the limits tfjs needs raised to the adapter's.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { deviceDescriptor } from "./backend_webgpu.ts";
 * const adapter = {
 *   features: new Set(["timestamp-query", "bgra8unorm-storage", "shader-f16"]),
 *   limits: { maxBufferSize: 4096, maxComputeWorkgroupSizeX: 256 },
 *   requestDevice: () => Promise.resolve({}),
 * };
 * const descriptor = deviceDescriptor(adapter);
 * assertEquals(descriptor.requiredFeatures, ["timestamp-query", "bgra8unorm-storage"]);
 * assertEquals(descriptor.requiredLimits, { maxBufferSize: 4096, maxComputeWorkgroupSizeX: 256 });
 * ```
 */
export function deviceDescriptor(adapter: AdapterLike): GPUDeviceDescriptor {
  const requiredFeatures = OPTIONAL_FEATURES.filter((f) => adapter.features.has(f));
  return {
    requiredFeatures: requiredFeatures as GPUFeatureName[],
    requiredLimits: adapterLimits(adapter),
  };
}

/** The adapter's values of {@linkcode WEBGPU_LIMITS} (those it reports). */
function adapterLimits(adapter: AdapterLike): Record<string, number> {
  const limits: Record<string, number> = {};
  for (const name of WEBGPU_LIMITS) {
    const value = (adapter.limits as Record<string, number>)[name];
    if (typeof value === "number") limits[name] = value;
  }
  return limits;
}

/**
 * Register tfjs's WebGPU backend as `webgpu`, making its device from a fresh adapter with
 * {@linkcode deviceDescriptor}, and with synchronous GPU reads failing with advice. Imports
 * `@tensorflow/tfjs-backend-webgpu` on first use (never at module load, so that a process that
 * does not ask for WebGPU never registers it). tfjs swallows an error thrown while it makes the
 * device (`tf.setBackend` returns false); the returned function gives that error's message.
 *
 * @example Registering does not switch backends
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { registerWebGpuBackend } from "./backend_webgpu.ts";
 * await tf.setBackend("cpu");
 * await registerWebGpuBackend();
 * assertEquals(tf.getBackend(), "cpu");
 * assertEquals(tf.findBackendFactory("webgpu") !== null, true);
 * ```
 */
export async function registerWebGpuBackend(
  gpu: GpuLike | undefined = defaultGpu(),
): Promise<() => string | undefined> {
  const webgpu = await import("@tensorflow/tfjs-backend-webgpu");
  const Backend = webgpu.WebGPUBackend;
  guardSyncReads(Backend.prototype as unknown as SyncReader);
  splitWideAddN();
  if (tf.findBackendFactory("webgpu") !== null) tf.removeBackend("webgpu");
  // Priority 0: tfjs never picks it on its own (its default backend stays wasm or cpu).
  let lastError: string | undefined;
  tf.registerBackend("webgpu", async () => {
    try {
      if (!gpu) throw new Error("this Deno has no WebGPU (navigator.gpu is missing)");
      const adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
      if (!adapter) throw new Error(`WebGPU found no adapter. ${await driverAdvice()}`);
      const device = await adapter.requestDevice(deviceDescriptor(adapter)) as GPUDevice;
      reportDeviceErrors(device);
      return new Backend(device, adapter.info as GPUAdapterInfo | undefined);
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
      throw error;
    }
  }, 0);
  return () => lastError;
}

/**
 * WebGPU reports a failed shader or command asynchronously and skips it: the tensors it should
 * have written read as zeros. Say so, once per message, instead of training on zeros.
 */
function reportDeviceErrors(device: GPUDevice): void {
  const seen = new Set<string>();
  device.addEventListener("uncapturederror", (event) => {
    const message = (event as GPUUncapturedErrorEvent).error.message;
    if (seen.has(message)) return;
    seen.add(message);
    console.error(
      `WebGPU error (results computed after it are wrong; please report it): ${message}`,
    );
  });
}

/**
 * tfjs-webgpu 4.22's AddN binds every input as its own storage buffer, and a device allows only
 * `maxStorageBuffersPerShaderStage` of them (8 by default, 16 on some adapters): summing the
 * gradients of a wide model then fails. This wraps it to add at most that many minus one at a time.
 */
function splitWideAddN(): void {
  const stock = tf.getKernel("AddN", "webgpu");
  if (!stock || (stock as { [SPLIT]?: true })[SPLIT]) return;
  const kernelFunc = stock.kernelFunc;
  const addN: tf.KernelFunc = (args) => {
    const backend = args.backend as unknown as { device: GPUDevice; disposeData(id: object): void };
    const most = Math.max(2, backend.device.limits.maxStorageBuffersPerShaderStage - 1);
    let inputs = args.inputs as unknown as tf.TensorInfo[];
    const made: tf.TensorInfo[] = [];
    while (inputs.length > most) {
      const sums: tf.TensorInfo[] = [];
      for (let i = 0; i < inputs.length; i += most) {
        const part = inputs.slice(i, i + most);
        const sum = part.length === 1 ? part[0] : kernelFunc({
          ...args,
          inputs: part as unknown as tf.NamedTensorInfoMap,
        }) as tf.TensorInfo;
        if (part.length > 1) made.push(sum);
        sums.push(sum);
      }
      inputs = sums;
    }
    const result = kernelFunc({ ...args, inputs: inputs as unknown as tf.NamedTensorInfoMap });
    for (const t of made) backend.disposeData(t.dataId);
    return result;
  };
  tf.unregisterKernel("AddN", "webgpu");
  tf.registerKernel({ ...stock, kernelFunc: addN, [SPLIT]: true } as tf.KernelConfig);
}

const SPLIT = Symbol.for("course.webgpuSplitAddN");

interface SyncReader {
  readSync(dataId: object): unknown;
  [GUARDED]?: true;
}

const GUARDED = Symbol.for("course.webgpuSyncReadGuard");

/** Make a failed synchronous read say what to do instead. */
function guardSyncReads(prototype: SyncReader): void {
  if (prototype[GUARDED]) return;
  const original = prototype.readSync;
  prototype.readSync = function (this: SyncReader, dataId: object) {
    try {
      return original.call(this, dataId);
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
      throw new Error(
        "Cannot read a tensor synchronously on the webgpu backend: under Deno, dataSync(), " +
          "arraySync() and print() work only for values already on the CPU. Use " +
          "`await tensor.data()` or `await tensor.array()` instead.",
      );
    }
  };
  prototype[GUARDED] = true;
}

/**
 * Why Deno's WebGPU may see no GPU, and what to install (Debian package names). On Linux, Deno
 * reaches GPUs through Vulkan: it needs the loader `libvulkan.so.1` and the vendor's driver (ICD).
 */
async function driverAdvice(): Promise<string> {
  if (Deno.build.os !== "linux") {
    return "Update the graphics driver; Deno uses Metal on macOS and Direct3D 12 on Windows.";
  }
  const loader = await findVulkanLoader();
  const drivers = "Install the driver's Vulkan part: mesa-vulkan-drivers (AMD, Intel), or the " +
    "NVIDIA driver with its Vulkan ICD (nvidia-vulkan-icd, or libnvidia-gl in a container " +
    "started with NVIDIA_DRIVER_CAPABILITIES=graphics,compute,utility).";
  return loader
    ? `The Vulkan loader is at ${loader}; no driver offered an adapter. ${drivers}`
    : `The Vulkan loader libvulkan.so.1 is missing: \`sudo apt-get install libvulkan1\`. ${drivers}`;
}

/** Where `libvulkan.so.1` is, in the usual library folders. */
async function findVulkanLoader(): Promise<string | undefined> {
  const dirs = [
    "/usr/lib/x86_64-linux-gnu",
    "/usr/lib/aarch64-linux-gnu",
    "/usr/lib64",
    "/usr/lib",
  ];
  for (const dir of dirs) {
    if (await pathExists(`${dir}/libvulkan.so.1`)) return `${dir}/libvulkan.so.1`;
  }
  return undefined;
}

function defaultGpu(): GpuLike | undefined {
  return (globalThis.navigator as { gpu?: GpuLike } | undefined)?.gpu;
}
