/**
 * Tell what this machine gives the course (`deno task doctor`): the backend chosen and why, the
 * versions, GPU/CUDA detection, the optional native packages, Jupyter and the Deno kernel, and the
 * profile. It installs nothing; it exits with 1 when something the course needs is missing, and
 * says which command fixes it.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { version_wasm } from "@tensorflow/tfjs-backend-wasm";
import { describeBackend, detectCuda, nativePackageStatus } from "../lib/backend.ts";
import {
  courseOptionsFromEnv,
  describeThreads,
  initCourseBackend,
  resolveCourseProfile,
} from "../lib/notebook/setup.ts";
import { probeWebGpu } from "../lib/backend_webgpu.ts";
import { mnistSourceReport } from "../lib/data/mnist.ts";
import {
  capture,
  JUPYTER_DEBIAN_PACKAGES,
  jupyterEnv,
  jupyterPython,
  KERNEL_JSON,
  missingDebianPackages,
  readKernelSpec,
} from "./jupyter_env.ts";

const problems: string[] = [];
const section = (title: string) => console.log(`\n${title}`);
const item = (label: string, value: string) => console.log(`  ${label.padEnd(16)} ${value}`);

section("Versions");
item("deno", `${Deno.version.deno} (V8 ${Deno.version.v8}, TypeScript ${Deno.version.typescript})`);
item("deno binary", Deno.execPath());
const node = await capture("node", ["--version"]);
item("node", node.ok ? node.stdout.trim() : "not on PATH (only needed for npx and install-gpu)");
item("tfjs", `${tf.version.tfjs} (wasm backend ${version_wasm})`);
item(
  "platform",
  `${Deno.build.os} ${Deno.build.arch}, ${navigator.hardwareConcurrency} CPU threads`,
);

section("GPU");
const cuda = await detectCuda();
item("NVIDIA GPU", cuda.gpuVisible ? cuda.gpus.join(", ") : `none (${cuda.message})`);
if (cuda.cudaVersion) {
  item("driver CUDA", `${cuda.cudaVersion} (tfjs-node-gpu 4.22 needs CUDA 11.2 + cuDNN 8.1)`);
}
const webgpu = await probeWebGpu();
item("WebGPU", webgpu.found ? webgpu.message : `no adapter (${webgpu.message})`);
if (webgpu.limits) {
  const mib = (n: number) => `${Math.round(n / 2 ** 20)} MiB`;
  const l = webgpu.limits;
  item(
    "adapter limits",
    `buffer ${mib(l.maxBufferSize ?? 0)}, storage binding ${
      mib(l.maxStorageBufferBindingSize ?? 0)
    }, ${l.maxStorageBuffersPerShaderStage} storage buffers per shader, workgroup ` +
      `${l.maxComputeInvocationsPerWorkgroup} invocations / ${l.maxComputeWorkgroupStorageSize} B`,
  );
}
for (const which of ["gpu", "node"] as const) {
  const status = await nativePackageStatus(which);
  item(status.packageName.replace("@tensorflow/", ""), status.message);
}

const reachable = await Deno.resolveDns("storage.googleapis.com", "A", {
  signal: AbortSignal.timeout(2000),
}).then(() => true, () => false);
item(
  "libtensorflow",
  reachable
    ? "storage.googleapis.com resolves: `deno task install-gpu` can try to download it"
    : "storage.googleapis.com does not resolve: tfjs-node(-gpu) cannot be installed here",
);

section("Backend");
try {
  const info = await initCourseBackend();
  console.log(`  ${describeBackend(info)}`);
  const product = tf.matMul(tf.ones([2, 3]), tf.ones([3, 2]));
  const y = await product.data(); // never dataSync(): it throws on webgpu under Deno
  tf.dispose(product);
  item("smoke test", `ones(2x3) @ ones(3x2) = [${Array.from(y).join(", ")}] on ${tf.getBackend()}`);
} catch (error) {
  problems.push(`no backend initialises: ${error instanceof Error ? error.message : error}`);
}

section("Profile");
try {
  const options = courseOptionsFromEnv();
  const profile = resolveCourseProfile({
    profile: options.profile,
    source: options.profile ? "COURSE_PROFILE" : undefined,
    workers: options.workers,
  });
  item(
    profile.name,
    `${profile.reason}: ${profile.mnistSize} MNIST images, ${profile.epochs} epochs, ` +
      `batch ${profile.batchSize}, width x${profile.width}; ${describeThreads(profile)}`,
  );
} catch (error) {
  problems.push(error instanceof Error ? error.message : String(error));
}
item("MNIST", (await mnistSourceReport()).line);

section("Jupyter");
const missing = await missingDebianPackages(JUPYTER_DEBIAN_PACKAGES);
if (missing === undefined) item("Debian packages", "no dpkg: not a Debian-like system");
else if (missing.length) {
  item("Debian packages", `missing ${missing.join(", ")}`);
  problems.push(`Jupyter is incomplete: run \`deno task setup\` (as root) to install it`);
} else item("Debian packages", "all present");
const versions = await capture(jupyterPython(), [
  "-c",
  "import notebook, nbclient, nbconvert; " +
  "print(f'notebook {notebook.__version__}, nbclient {nbclient.__version__}, " +
  "nbconvert {nbconvert.__version__}')",
], { env: jupyterEnv() });
item(jupyterPython(), versions.ok ? versions.stdout.trim() : "cannot import Jupyter modules");
const spec = await readKernelSpec();
if (!spec) {
  item("Deno kernel", `not registered in ${KERNEL_JSON}`);
  problems.push("the Deno kernel is not registered: run `deno task setup`");
} else {
  const binary = spec.argv[0];
  const present = await Deno.stat(binary).then(() => true, () => false);
  item("Deno kernel", `${KERNEL_JSON} -> ${binary}${present ? "" : " (MISSING)"}`);
  if (!present) problems.push("the Deno kernel's binary is gone: run `deno task setup`");
  else if (binary !== Deno.execPath()) {
    item("", "(another deno binary than this one; `deno task setup` re-registers this one)");
  }
}

section("Verdict");
if (problems.length === 0) console.log("  ready: `deno task course` opens the notebooks");
for (const problem of problems) console.log(`  problem: ${problem}`);
Deno.exit(problems.length ? 1 : 0);
