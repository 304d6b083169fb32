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
 * Offline labs: `--libtensorflow FILE` installs from a libtensorflow 2.9.1 archive on disk
 * (`libtensorflow-gpu-linux-x86_64-2.9.1.tar.gz`, or `-cpu-` with `--node`) instead of downloading
 * it. The package comes from the npm registry without its install script; the script then runs
 * with tfjs-node's `scripts/custom-binary.json` pointing at the archive, served for the moment on
 * 127.0.0.1 (the script fetches only http(s) URLs), and, as tfjs-node does for a custom library,
 * builds the binding from source with node-gyp (needs python3, make, g++ and Node's headers).
 *
 * Usage: `deno task install-gpu [--node] [--force] [--libtensorflow FILE]` (`--force`: install
 * without a visible GPU).
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
    options: {
      node: { type: "boolean" },
      force: { type: "boolean" },
      libtensorflow: { type: "string" },
    },
  });
  const archive = values.libtensorflow;
  if (archive !== undefined) {
    const info = await Deno.stat(archive).catch(() => undefined);
    if (!info?.isFile) {
      fail(`--libtensorflow ${archive}: no such file; give the path of libtensorflow's .tar.gz`);
    }
    if (!/\.(tar\.gz|tgz)$/.test(archive)) {
      fail(`--libtensorflow ${archive}: expected a .tar.gz archive of libtensorflow 2.9.1`);
    }
  }
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
    const staged = `${staging}/node_modules/@tensorflow/${name}`;
    const status = archive === undefined
      ? await npm_(staging, ["install", "--no-audit", "--no-fund", `${packageName}@${VERSION}`])
      : await installFromArchive(staging, staged, packageName, archive);
    const binding = await findBinding(`${staged}/lib`);
    if (!status.success || !binding) {
      fail(
        `Cannot install ${packageName}: ${
          status.success ? "no native binding was built" : `npm exited with code ${status.code}`
        }. ${
          archive === undefined
            ? "Its install script downloads libtensorflow 2.9.1 and the prebuilt binding from " +
              "storage.googleapis.com; a machine without internet access (or behind a proxy npm " +
              "does not know) cannot install it: give a local copy with --libtensorflow FILE."
            : `Building the binding against ${archive} failed (see node-gyp's messages above: it ` +
              "needs python3, make, g++ and Node's headers, and the archive must be libtensorflow " +
              "2.9.1 with include/ and lib/)."
        } Nothing in node_modules/ was changed: the course keeps ` +
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

/** Run npm in `cwd`; resolves to its exit status. */
function npm_(cwd: string, args: string[]): Promise<Deno.CommandStatus> {
  return new Deno.Command("npm", { args, cwd, stdin: "null" }).spawn().status;
}

/**
 * Install the package without its install script, then run that script against `archive`, served
 * on 127.0.0.1 for as long as it runs.
 */
async function installFromArchive(
  staging: string,
  staged: string,
  packageName: string,
  archive: string,
): Promise<Deno.CommandStatus> {
  const fetched = await npm_(staging, [
    "install",
    "--ignore-scripts",
    "--no-audit",
    "--no-fund",
    `${packageName}@${VERSION}`,
  ]);
  if (!fetched.success) return fetched;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async () => {
    const file = await Deno.open(archive);
    return new Response(file.readable, { headers: { "content-type": "application/gzip" } });
  });
  try {
    const url = `http://127.0.0.1:${server.addr.port}/${archive.split("/").pop()}`;
    await Deno.writeTextFile(
      `${staged}/scripts/custom-binary.json`,
      JSON.stringify({ "tf-lib": url }) + "\n",
    );
    console.log(`install-gpu: building ${packageName}'s binding against ${archive} ...`);
    return await npm_(staging, ["rebuild", "--foreground-scripts", packageName]);
  } finally {
    await server.shutdown();
  }
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
