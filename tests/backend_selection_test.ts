// initBackend()'s choice with fake WebGPU adapters. Each scenario runs in a child process, because
// the chosen backend is process-wide state of tfjs.
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { probeWebGpu } from "../lib/backend_webgpu.ts";
import { runIsolated } from "./isolated_helpers.ts";

/** The module source of a fake `navigator.gpu` whose adapter is `adapter` (JS source). */
function scenario(adapter: string, backend = "auto"): string {
  return `
    import { initBackend } from "@course/lib";
    const gpu = { requestAdapter: async () => (${adapter}) };
    try {
      const info = await initBackend({ backend: "${backend}", gpu });
      console.log(JSON.stringify({ choice: info.choice, gpu: info.gpu, attempts: info.attempts }));
    } catch (error) {
      console.log(JSON.stringify({ error: error.message }));
    }`;
}

const HARDWARE_INFO = `{ vendor: "nvidia", architecture: "hopper", description: "NVIDIA H200" }`;

async function choose(adapter: string, backend = "auto") {
  const out = await runIsolated(scenario(adapter, backend));
  return JSON.parse(out.trim().split("\n").at(-1)!) as {
    choice?: string;
    gpu?: boolean;
    attempts?: { choice: string; ok: boolean; message: string }[];
    error?: string;
  };
}

function attempt(result: Awaited<ReturnType<typeof choose>>, name: string) {
  const found = result.attempts?.find((a) => a.choice === name);
  assert(found, `no ${name} attempt in ${JSON.stringify(result)}`);
  return found;
}

Deno.test("initBackend() without a WebGPU adapter skips webgpu, says what to install, uses wasm", async () => {
  const result = await choose("null");
  assertEquals([result.choice, result.gpu], ["wasm", false]);
  const webgpu = attempt(result, "webgpu");
  assertEquals(webgpu.ok, false);
  assert(/no adapter/.test(webgpu.message) && /Vulkan|driver/.test(webgpu.message), webgpu.message);
});

Deno.test("initBackend() never picks a fallback or software adapter by itself", async () => {
  for (
    const adapter of [
      `{ info: { description: "Microsoft Basic Render Driver", isFallbackAdapter: true },
         features: new Set(), limits: {}, requestDevice: async () => ({}) }`,
      `{ info: { vendor: "mesa", description: "llvmpipe (LLVM 15.0.6, 256 bits)" },
         features: new Set(), limits: {}, requestDevice: async () => ({}) }`,
    ]
  ) {
    const result = await choose(adapter);
    assertEquals(result.choice, "wasm");
    assert(/software adapter/.test(attempt(result, "webgpu").message));
  }
});

Deno.test("initBackend() falls back to wasm with the reason when a GPU's requestDevice fails", async () => {
  const result = await choose(`{ info: ${HARDWARE_INFO}, features: new Set(), limits: {},
    requestDevice: async () => { throw new Error("device lost: out of memory"); } }`);
  assertEquals(result.choice, "wasm");
  const webgpu = attempt(result, "webgpu");
  assertEquals(webgpu.ok, false);
  assert(/NVIDIA H200/.test(webgpu.message) && /out of memory/.test(webgpu.message));
});

Deno.test("initBackend() forced to webgpu without an adapter fails with the reason", async () => {
  const result = await choose("null", "webgpu");
  assert(
    result.error && /webgpu: WebGPU found no adapter/.test(result.error),
    String(result.error),
  );
});

Deno.test("probeWebGpu() describes a hardware adapter and its limits, and survives a throwing gpu", async () => {
  const report = await probeWebGpu({
    requestAdapter: () =>
      Promise.resolve({
        info: { vendor: "amd", architecture: "rdna-3", description: "Radeon RX 7900" },
        features: new Set<string>(),
        limits: { maxBufferSize: 2 ** 31, maxStorageBuffersPerShaderStage: 16 },
        requestDevice: () => Promise.resolve({}),
      }),
  });
  assertEquals(report.hardware, true);
  assertEquals(report.adapter, "amd, rdna-3, Radeon RX 7900");
  assertEquals(report.limits, { maxStorageBuffersPerShaderStage: 16, maxBufferSize: 2 ** 31 });
  const broken = await probeWebGpu({ requestAdapter: () => Promise.reject(new Error("boom")) });
  assertEquals([broken.found, /boom/.test(broken.message)], [false, true]);
  assertEquals((await probeWebGpu(null)).found, false);
});
