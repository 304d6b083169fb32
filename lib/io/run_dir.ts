/**
 * Checks a training entry point makes on its output folder before the first step: that it can write
 * there, and that it neither silently replaces another run's checkpoint nor silently starts from
 * zero when asked to resume.
 *
 * @module
 */
import { basename, dirname, join } from "node:path";
import { type CheckpointMeta, readCheckpointMeta } from "./checkpoint.ts";
import { firstLine } from "../core/errors.ts";
import { pathExists } from "../core/fs.ts";

/** Options of {@linkcode prepareCheckpointDir}. */
export interface PrepareCheckpointOptions {
  /** Continue the checkpoint there (it must exist). Default `false`. */
  resume?: boolean;
  /** Discard a checkpoint there and start over. Default `false`. */
  force?: boolean;
  /** How the user names the folder in messages, e.g. `"--out runs/dcgan"`. Default: the path. */
  label?: string;
}

/** What {@linkcode prepareCheckpointDir} decided. */
export interface CheckpointPlan {
  /** `"resume"` the checkpoint, or start a `"fresh"` run (after discarding one with `force`). */
  action: "resume" | "fresh";
  /** The checkpoint resumed, or the one discarded with `force`. */
  meta?: CheckpointMeta;
}

/**
 * Decide what a run does with the checkpoint folder `dir`, refusing the two ways to lose work:
 * training over another run's checkpoint without `resume` or `force`, and `resume` where there is
 * no checkpoint (a mistyped folder). With `force`, the old checkpoint (and the leftovers of an
 * interrupted save) are deleted.
 *
 * @example
 * ```ts
 * import { prepareCheckpointDir } from "./run_dir.ts";
 * import { rejects, strictEqual } from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * strictEqual((await prepareCheckpointDir(`${dir}/checkpoint`)).action, "fresh");
 * await rejects(prepareCheckpointDir(`${dir}/checkpoint`, { resume: true }), /no checkpoint/);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function prepareCheckpointDir(
  dir: string,
  options: PrepareCheckpointOptions = {},
): Promise<CheckpointPlan> {
  const { resume = false, force = false, label = dir } = options;
  if (resume && force) {
    throw new Error(
      "Cannot train: --resume continues the checkpoint and --force discards it; give only one",
    );
  }
  let meta: CheckpointMeta | undefined;
  let unreadable: string | undefined;
  try {
    meta = await readCheckpointMeta(dir);
  } catch (error) {
    unreadable = firstLine(error);
  }
  if (force) {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    await removeLeftovers(dir);
    return { action: "fresh", meta };
  }
  if (unreadable) {
    throw new Error(
      `${unreadable}${resume ? "" : `; or pass --force to discard it and start over in ${label}`}`,
    );
  }
  if (resume) {
    if (!meta) {
      const exists = await pathExists(dirname(dir));
      throw new Error(
        `Cannot resume: ${label} holds no checkpoint (${dir}/checkpoint.json ${
          exists ? "is missing" : "does not exist, nor does its folder"
        }); check the folder name, or train without --resume to start a new run`,
      );
    }
    return { action: "resume", meta };
  }
  if (meta) {
    throw new Error(
      `Cannot train into ${label}: it holds the checkpoint of a ${meta.variant} run at step ` +
        `${meta.step} (saved ${meta.savedAt}); pass --resume to continue it, --force to discard ` +
        `it and start over, or another --out folder`,
    );
  }
  if (await pathExists(dir) && !(await isEmptyDir(dir))) {
    throw new Error(
      `Cannot train into ${label}: ${dir} exists but holds no checkpoint.json; move it away, or ` +
        `pass --force to delete it`,
    );
  }
  return { action: "fresh" };
}

/**
 * Check that a folder can be written before a long run starts (creating it when missing): writes,
 * reads back and removes a small probe file. Throws a one-line error that names the folder.
 *
 * @example
 * ```ts
 * import { checkWritableDir } from "./run_dir.ts";
 * import { rejects } from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await checkWritableDir(`${dir}/out/samples`);
 * await Deno.writeTextFile(`${dir}/file`, "");
 * await rejects(checkWritableDir(`${dir}/file/sub`), /Cannot write to .*file\/sub/);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function checkWritableDir(dir: string, probeBytes = 1 << 16): Promise<void> {
  const probe = join(dir, `.write-probe-${crypto.randomUUID().slice(0, 8)}`);
  try {
    await Deno.mkdir(dir, { recursive: true });
    const bytes = new Uint8Array(probeBytes);
    await Deno.writeFile(probe, bytes);
    const back = await Deno.stat(probe);
    if (back.size !== probeBytes) throw new Error(`wrote ${probeBytes} bytes, ${back.size} landed`);
  } catch (error) {
    throw new Error(
      `Cannot write to ${dir}: ${firstLine(error)}; free some space, fix its permissions, or ` +
        `choose another output folder (--out)`,
    );
  } finally {
    await Deno.remove(probe).catch(() => {});
  }
}

async function isEmptyDir(dir: string): Promise<boolean> {
  try {
    for await (const _ of Deno.readDir(dir)) return false;
    return true;
  } catch {
    return false;
  }
}

async function removeLeftovers(dir: string): Promise<void> {
  const parent = dirname(dir);
  const base = basename(dir);
  try {
    for await (const entry of Deno.readDir(parent)) {
      if (entry.name.startsWith(`${base}.tmp-`) || entry.name.startsWith(`${base}.old-`)) {
        await Deno.remove(join(parent, entry.name), { recursive: true });
      }
    }
  } catch {
    // Nothing to clean where the parent cannot be listed.
  }
}
