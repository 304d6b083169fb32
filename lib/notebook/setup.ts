/**
 * The course's entry-point setup: the one file in `lib/` that reads environment variables.
 *
 * Library functions take their configuration as values. The entry points (a notebook's first cell,
 * the `deno task` scripts, the grader's kernel) read the environment once, here, and pass what they
 * read down:
 *
 * | Variable         | Option        | Meaning                                                      |
 * | ---------------- | ------------- | ------------------------------------------------------------ |
 * | `COURSE_BACKEND` | `backend`     | `auto`, `gpu`, `webgpu`, `node`, `wasm` or `cpu`             |
 * | `COURSE_PROFILE` | `profile`     | `ci`, `cpu` or `gpu`                                         |
 * | `COURSE_WORKERS` | `workers`     | threads per step: a positive integer, or `auto` (the default) |
 * | `COURSE_RESULTS` | `resultsFile` | a file that {@linkcode Course.record} appends JSON lines to  |
 *
 * A variable that is set wins over the option a notebook or script passes: it is the user's
 * override (`COURSE_PROFILE=ci deno task notebooks` runs every notebook at test size).
 *
 * @example A notebook's first cell
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { setupCourse } from "./setup.ts";
 * const course = await setupCourse({ backend: "cpu", profile: "ci", env: new Map() });
 * assertEquals([course.backend.choice, course.profile.name, course.profile.batchSize], [
 *   "cpu",
 *   "ci",
 *   32,
 * ]);
 * ```
 *
 * @module
 */
import {
  BACKEND_CHOICES,
  type BackendChoice,
  type BackendInfo,
  currentBackend,
  initBackend,
  type InitBackendOptions,
} from "../backend.ts";
import type { GpuLike } from "../backend_webgpu.ts";
import {
  type Profile,
  PROFILE_NAMES,
  type ProfileName,
  resolveProfile,
  type ResolveProfileOptions,
} from "../profile.ts";
import { recordResult, type RecordResultOptions, type ResultRecord } from "../results.ts";

/** What the environment can configure; every field is optional (unset: the library's default). */
export interface CourseOptions {
  /** Which backend `initBackend()` uses (`COURSE_BACKEND`). */
  backend?: BackendChoice;
  /** Which run-size profile to use (`COURSE_PROFILE`). */
  profile?: ProfileName;
  /**
   * Threads per training step (`COURSE_WORKERS`). `auto`, the default, is the cores that are idle
   * when the course starts, at most the profile's shards, and 1 on a GPU backend; the result of a
   * run is the same whatever the count (see `Profile.shards`).
   */
  workers?: number | "auto";
  /** Where {@linkcode Course.record} appends its JSON lines (`COURSE_RESULTS`). */
  resultsFile?: string;
}

/** Where variables are read from: `Deno.env`, or any map of names to values (tests pass one). */
export interface EnvSource {
  /** The variable's value, or `undefined` when it is not set. */
  get(name: string): string | undefined;
}

/** The variable that sets each option. */
const COURSE_ENV_VARIABLES: Readonly<Record<keyof CourseOptions, string>> = {
  backend: "COURSE_BACKEND",
  profile: "COURSE_PROFILE",
  workers: "COURSE_WORKERS",
  resultsFile: "COURSE_RESULTS",
};

/**
 * Read the course's environment variables into options, checking each. An empty variable counts
 * as unset; without `--allow-env` every variable counts as unset.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals, throws as assertThrows } from "node:assert/strict";
 * import { courseOptionsFromEnv } from "./setup.ts";
 * const env = new Map([["COURSE_PROFILE", " CI "], ["COURSE_WORKERS", "2"]]);
 * assertEquals(courseOptionsFromEnv(env), { profile: "ci", workers: 2 });
 * assertThrows(
 *   () => courseOptionsFromEnv(new Map([["COURSE_BACKEND", "tpu"]])),
 *   /COURSE_BACKEND must be one of auto, gpu, webgpu, node, wasm, cpu, got "tpu"/,
 * );
 * ```
 */
export function courseOptionsFromEnv(env: EnvSource = Deno.env): CourseOptions {
  const read = (name: string): string | undefined => {
    let value: string | undefined;
    try {
      value = env.get(name);
    } catch {
      return undefined; // no --allow-env: behave as if unset
    }
    return value?.trim() || undefined;
  };
  const options: CourseOptions = {};
  const backend = read(COURSE_ENV_VARIABLES.backend)?.toLowerCase();
  if (backend !== undefined) {
    options.backend = oneOf(BACKEND_CHOICES, backend, COURSE_ENV_VARIABLES.backend);
  }
  const profile = read(COURSE_ENV_VARIABLES.profile)?.toLowerCase();
  if (profile !== undefined) {
    options.profile = oneOf(PROFILE_NAMES, profile, COURSE_ENV_VARIABLES.profile);
  }
  const workers = read(COURSE_ENV_VARIABLES.workers)?.toLowerCase();
  if (workers !== undefined) options.workers = parseWorkers(workers);
  const resultsFile = read(COURSE_ENV_VARIABLES.resultsFile);
  if (resultsFile !== undefined) options.resultsFile = resultsFile;
  return options;
}

function oneOf<T extends string>(choices: readonly T[], value: string, name: string): T {
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new Error(
    `Cannot read the course settings: ${name} must be one of ${choices.join(", ")}, got "${value}"`,
  );
}

function parseWorkers(value: string): number | "auto" {
  if (value === "auto") return value;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(
      `Cannot read the course settings: COURSE_WORKERS must be a positive integer or "auto", ` +
        `got "${value}"`,
    );
  }
  return n;
}

/**
 * `initBackend(options)`, except that a set `COURSE_BACKEND` wins over `options.backend`: for
 * scripts that need the backend but no profile.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { initCourseBackend } from "./setup.ts";
 * const info = await initCourseBackend({ backend: "wasm" }, new Map([["COURSE_BACKEND", "cpu"]]));
 * assertEquals([info.choice, info.requestedBy], ["cpu", "env"]);
 * ```
 */
export function initCourseBackend(
  options: InitBackendOptions = {},
  env: EnvSource = Deno.env,
): Promise<BackendInfo> {
  const fromEnv = courseOptionsFromEnv(env).backend;
  return initBackend({
    ...options,
    backend: fromEnv ?? options.backend,
    requestedBy: fromEnv ? "env" : options.requestedBy,
  });
}

/** Options of {@linkcode setupCourse}: the notebook's choices; a set variable overrides each. */
export interface SetupCourseOptions extends CourseOptions {
  /** Print which backend runs and why, and how many threads share each step. Default `false`. */
  verbose?: boolean;
  /** Profile fields to change, e.g. `{ epochs: 2 }`, applied last. */
  overrides?: Partial<Omit<Profile, "name" | "reason">>;
  /** Where the variables come from. Default `Deno.env`; pass `new Map()` to ignore them. */
  env?: EnvSource;
  /** The WebGPU entry point to use instead of `navigator.gpu` (tests pass fake adapters). */
  gpu?: GpuLike;
}

/** What a notebook or script works with after {@linkcode setupCourse}. */
export interface Course {
  /** The backend that runs, and why. */
  backend: BackendInfo;
  /** The run sizes. */
  profile: Profile;
  /** The file results are appended to, when `COURSE_RESULTS` or the option named one. */
  resultsFile?: string;
  /**
   * Record a headline result (see `recordResult`): the profile is filled in unless given, and the
   * record is appended to {@linkcode Course.resultsFile} when there is one.
   */
  record(
    source: string,
    metric: string,
    value: number,
    options?: Omit<RecordResultOptions, "file">,
  ): Promise<ResultRecord>;
}

/**
 * Read the environment once, initialise the backend, then resolve the profile for that backend:
 * the first cell of every notebook, and the start of every script that trains.
 *
 * @example Record a result into a file
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { setupCourse } from "./setup.ts";
 * const file = await Deno.makeTempFile();
 * const env = new Map([["COURSE_RESULTS", file], ["COURSE_PROFILE", "ci"]]);
 * const course = await setupCourse({ backend: "cpu", profile: "gpu", env });
 * assertEquals(course.profile.reason, "set by COURSE_PROFILE");
 * await course.record("02_dcgan", "FID", 12.5, { unit: "lower is better" });
 * const line = JSON.parse(await Deno.readTextFile(file));
 * assertEquals([line.metric, line.value, line.profile, line.backend], ["FID", 12.5, "ci", "cpu"]);
 * await Deno.remove(file);
 * ```
 */
export async function setupCourse(options: SetupCourseOptions = {}): Promise<Course> {
  const env = options.env ?? Deno.env;
  const fromEnv = courseOptionsFromEnv(env);
  const backend = await initCourseBackend(
    { backend: options.backend, verbose: options.verbose, gpu: options.gpu },
    env,
  );
  const profile = resolveCourseProfile({
    profile: fromEnv.profile ?? options.profile,
    source: fromEnv.profile ? COURSE_ENV_VARIABLES.profile : undefined,
    backend,
    overrides: options.overrides,
    workers: fromEnv.workers ?? options.workers,
  });
  if (options.verbose && !backend.gpu) console.log(describeThreads(profile));
  const resultsFile = fromEnv.resultsFile ?? options.resultsFile;
  return {
    backend,
    profile,
    resultsFile,
    record: (source, metric, value, recordOptions = {}) =>
      recordResult(source, metric, value, {
        profile: profile.name,
        ...recordOptions,
        file: resultsFile,
      }),
  };
}

/** Options of {@linkcode resolveCourseProfile}: `resolveProfile()`'s, with `workers` as the user gives it. */
export interface CourseProfileOptions extends Omit<ResolveProfileOptions, "workers"> {
  /** Threads per step, or `auto` (the default): see {@linkcode autoWorkers}. */
  workers?: number | "auto";
}

/**
 * `resolveProfile()` with `workers: "auto"` (the default) turned into the idle cores that divide
 * the profile's shards: how `setupCourse()` and `deno task doctor` pick the threads.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { resolveCourseProfile } from "./setup.ts";
 * const backend = { choice: "wasm", gpu: false } as const;
 * assertEquals(resolveCourseProfile({ profile: "cpu", backend: backend as never }, 8).workers, 2);
 * assertEquals(resolveCourseProfile({ profile: "cpu", workers: 1 }, 8).workers, 1);
 * ```
 */
export function resolveCourseProfile(
  options: CourseProfileOptions,
  idle: number = idleCores(),
): Profile {
  const { workers: asked = "auto", ...rest } = options;
  if (asked !== "auto") return resolveProfile({ ...rest, workers: asked });
  const gpu = (options.backend ?? currentBackend())?.gpu ?? false;
  return resolveProfile({ ...rest, workers: autoWorkers(resolveProfile(rest).shards, gpu, idle) });
}

/**
 * The threads `COURSE_WORKERS=auto` uses: the largest divisor of `shards` that is at most `idle`
 * cores, and 1 on a GPU backend (the GPU runs the step; worker threads would only copy tensors).
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { autoWorkers } from "./setup.ts";
 * assertEquals(autoWorkers(2, false, 16), 2);
 * assertEquals(autoWorkers(4, false, 3), 2);
 * assertEquals(autoWorkers(2, false, 1), 1);
 * assertEquals(autoWorkers(2, true, 16), 1);
 * ```
 */
export function autoWorkers(shards: number, gpu: boolean, idle: number): number {
  if (gpu) return 1;
  for (let n = Math.min(shards, Math.floor(idle)); n > 1; n--) {
    if (shards % n === 0) return n;
  }
  return 1;
}

/**
 * Cores not busy right now: the machine's cores less the last minute's load average, at least 1
 * (the cores alone where the load cannot be read).
 *
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { idleCores } from "./setup.ts";
 * const idle = idleCores();
 * assert(Number.isInteger(idle) && idle >= 1 && idle <= navigator.hardwareConcurrency);
 * ```
 */
export function idleCores(): number {
  const cores = navigator.hardwareConcurrency ?? 1;
  let load = 0;
  try {
    load = Deno.loadavg()[0];
  } catch {
    // No --allow-sys: count every core as idle.
  }
  return Math.max(1, Math.min(cores, Math.round(cores - load)));
}

/**
 * One line on how a training step is shared: its shards and the threads that run them.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { resolveProfile } from "../profile.ts";
 * import { describeThreads } from "./setup.ts";
 * assertEquals(
 *   describeThreads(resolveProfile({ profile: "cpu", workers: 2 })),
 *   "training: each step in 2 shards on 2 threads (COURSE_WORKERS=N to change the threads; " +
 *     "the results do not depend on them)",
 * );
 * ```
 */
export function describeThreads(profile: Profile): string {
  const threads = profile.workers === 1 ? "1 thread" : `${profile.workers} threads`;
  const shards = profile.shards === 1 ? "1 shard" : `${profile.shards} shards`;
  return `training: each step in ${shards} on ${threads} (COURSE_WORKERS=N to change the ` +
    "threads; the results do not depend on them)";
}
