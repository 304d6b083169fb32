/**
 * Install the optional native backend (`deno task install-gpu`): `@tensorflow/tfjs-node-gpu` 4.22.0,
 * or with `--node` the CPU build `@tensorflow/tfjs-node`, for machines that can download
 * libtensorflow 2.9.1 (internet access to Google's storage; the GPU build also needs CUDA 11.2 and
 * cuDNN 8.1).
 *
 * It runs `npm install` (not Deno, so that the package's install script downloads libtensorflow
 * and the native binding) in a temporary folder. Only when that succeeds does it move the package
 * into `node_modules/@tensorflow/`, with its non-tfjs dependencies nested inside it (its
 * `@tensorflow/tfjs` and `tfjs-core` imports resolve to the course's copies, so it registers on the
 * same engine). It then copies the binding into every `lib/napi-v*` folder, because Deno reports a
 * newer N-API version than the prebuilt binding's folder (tensorflow/tfjs#8581, workaround from
 * #8579). On failure nothing in node_modules changes and the course keeps using wasm.
 *
 * Usage: `deno task install-gpu [--node] [--force]` (`--force`: install without a visible GPU).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { detectCuda } from "../lib/backend.ts";
import { capture, PROJECT_ROOT } from "./jupyter_env.ts";

const VERSION = "4.22.0";
/** N-API folders to fill: the prebuilt binding targets up to 8; Deno 2 reports 10. */
const NAPI_VERSIONS = [3, 4, 5, 6, 7, 8, 9, 10];

class InstallError extends Error {}

function fail(message: string): never {
  throw new InstallError(message);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: { node: { type: "boolean" }, force: { type: "boolean" } },
  });
  const name = values.node ? "tfjs-node" : "tfjs-node-gpu";
  const packageName = `@tensorflow/${name}`;
  const target = `${PROJECT_ROOT}/node_modules/@tensorflow/${name}`;

  if (!values.node && !values.force) {
    const cuda = await detectCuda();
    if (!cuda.gpuVisible) {
      fail(
        `no NVIDIA GPU visible (${cuda.message}). Use \`deno task install-gpu --node\` for the ` +
          `CPU build of the native backend, or --force to install the GPU build anyway.`,
      );
    }
    console.log(`install-gpu: ${cuda.gpus.join(", ")}, driver CUDA ${cuda.cudaVersion ?? "?"}`);
  }
  const npm = await capture("npm", ["--version"]);
  if (!npm.ok) fail("npm is not on PATH; install Node.js and npm, then run this again.");

  const staging = await Deno.makeTempDir({ prefix: "course-install-gpu-" });
  try {
    await Deno.writeTextFile(`${staging}/package.json`, '{ "private": true }\n');
    console.log(`install-gpu: npm install ${packageName}@${VERSION} in ${staging} ...`);
    const status = await new Deno.Command("npm", {
      args: ["install", "--no-audit", "--no-fund", `${packageName}@${VERSION}`],
      cwd: staging,
      stdin: "null",
    }).spawn().status;
    const staged = `${staging}/node_modules/@tensorflow/${name}`;
    const binding = await findBinding(`${staged}/lib`);
    if (!status.success || !binding) {
      fail(
        `Cannot install ${packageName}: ${
          status.success ? "no native binding was built" : `npm exited with code ${status.code}`
        }. Its install script downloads libtensorflow 2.9.1 and the prebuilt binding from ` +
          `storage.googleapis.com; a machine without internet access (or behind a proxy npm does ` +
          `not know) cannot install it. Nothing in node_modules/ was changed: the course keeps ` +
          `training on the wasm backend (\`deno task doctor\` shows it).`,
      );
    }
    for (const napi of NAPI_VERSIONS) {
      const dir = `${staged}/lib/napi-v${napi}`;
      await Deno.mkdir(dir, { recursive: true });
      if (`${dir}/tfjs_binding.node` !== binding) {
        await Deno.copyFile(binding, `${dir}/tfjs_binding.node`);
      }
    }
    // Nest the package's own dependencies, except @tensorflow/*, which must stay the course's copies.
    await Deno.mkdir(`${staged}/node_modules`, { recursive: true });
    for await (const entry of Deno.readDir(`${staging}/node_modules`)) {
      if (entry.name === "@tensorflow" || entry.name.startsWith(".")) continue;
      await Deno.rename(
        `${staging}/node_modules/${entry.name}`,
        `${staged}/node_modules/${entry.name}`,
      );
    }
    await Deno.remove(target, { recursive: true }).catch(() => {});
    await Deno.mkdir(`${PROJECT_ROOT}/node_modules/@tensorflow`, { recursive: true });
    await Deno.rename(staged, target).catch(async () => {
      // Another file system: copy instead of rename.
      const copy = await capture("cp", ["-a", staged, target]);
      if (!copy.ok) fail(`Cannot move ${staged} to ${target}: ${copy.stderr}`);
    });
    console.log(
      `install-gpu: ${packageName} installed in ${target} (binding copied to napi-v` +
        `${NAPI_VERSIONS.join(",")}). \`deno task doctor\` shows whether it loads.`,
    );
  } finally {
    await Deno.remove(staging, { recursive: true }).catch(() => {});
  }
}

try {
  await main();
} catch (error) {
  if (!(error instanceof InstallError)) throw error;
  console.error(`install-gpu: ${error.message}`);
  Deno.exit(1);
}

async function findBinding(libDir: string): Promise<string | undefined> {
  try {
    for await (const entry of Deno.readDir(libDir)) {
      const candidate = `${libDir}/${entry.name}/tfjs_binding.node`;
      if (entry.isDirectory && await Deno.stat(candidate).then(() => true, () => false)) {
        return candidate;
      }
    }
  } catch {
    return undefined;
  }
  return undefined;
}
