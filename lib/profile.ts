/**
 * Run-size profiles: one place that maps `ci`, `cpu` and `gpu` to data sizes, epochs, batch sizes
 * and model widths, so that notebooks never hard-code two versions of a config.
 *
 * - `ci`: seconds per notebook, for the test suite; results are only smoke checks.
 * - `cpu`: minutes per notebook on a 2-core laptop with the wasm backend; results are real.
 * - `gpu`: paper-like sizes for a GPU backend (`webgpu` on a hardware adapter, or tfjs-node-gpu).
 *
 * The profile is picked from the backend (`gpu` on a GPU backend, `cpu` otherwise) unless the
 * `profile` option names one. Each training step is split into the profile's `shards` (2 in `cpu`)
 * and shared between `workers` threads on the wasm and cpu backends
 * (`train(..., { executor: dataParallel({ workers, shards }) })`): a run's result depends on
 * `shards`, never on `workers`, so the same notebook gives the same numbers on any machine. This
 * module reads no environment: the entry points read the user's `COURSE_PROFILE` and
 * `COURSE_WORKERS` with `setupCourse()` (which also picks the idle cores by default) or
 * `courseOptionsFromEnv()` (`lib/notebook/setup.ts`) and pass them here.
 *
 * @module
 */
import { type BackendInfo, currentBackend } from "./backend.ts";

/** The profile names. */
export type ProfileName = "ci" | "cpu" | "gpu";

/** Every {@linkcode ProfileName}, smallest first. */
export const PROFILE_NAMES: readonly ProfileName[] = ["ci", "cpu", "gpu"];

/** Sizes a notebook or a training run reads from the active profile. */
export interface Profile {
  /** The profile's name. */
  name: ProfileName;
  /** Why this profile was chosen. */
  reason: string;
  /** How many MNIST training images to use (capped by what the data source has). */
  mnistSize: number;
  /** Epochs over the image data. */
  epochs: number;
  /** Mini-batch size for image GANs. */
  batchSize: number;
  /** Channel-width multiplier for the conv models (1 = the lecture's widths). */
  width: number;
  /** Training steps for the 1-D and 2-D toy GANs. */
  toySteps: number;
  /** Mini-batch size for the toy GANs. */
  toyBatchSize: number;
  /** Samples generated for IS / FID / KID. */
  evalSamples: number;
  /** Take a sample grid (and a loss-plot update) every this many steps. */
  sampleEvery: number;
  /**
   * Shards each training step is split into, each normalised on its own (batch norm included) with
   * its gradients summed in a fixed order: what a run's result depends on. 2 in `cpu`, so that two
   * cores can share a step; 1 in `ci` and `gpu`. Raised to a multiple of `workers` when more threads
   * are asked for than the profile has shards.
   */
  shards: number;
  /**
   * Threads that share each step (a divisor of `shards`; the wasm and cpu backends). `setupCourse()`
   * picks the idle cores unless `COURSE_WORKERS` says otherwise. Pass both to
   * `train(..., { executor: dataParallel({ workers: profile.workers, shards: profile.shards }) })`.
   */
  workers: number;
}

/** Every profile's sizes. */
export const PROFILES: Readonly<
  Record<ProfileName, Omit<Profile, "name" | "reason" | "workers">>
> = {
  ci: {
    mnistSize: 256,
    epochs: 1,
    batchSize: 32,
    width: 0.125,
    toySteps: 100,
    toyBatchSize: 64,
    evalSamples: 256,
    sampleEvery: 4,
    shards: 1,
  },
  cpu: {
    mnistSize: 8000,
    epochs: 10,
    batchSize: 64,
    width: 0.25,
    toySteps: 3000,
    toyBatchSize: 256,
    evalSamples: 2000,
    sampleEvery: 50,
    shards: 2,
  },
  gpu: {
    mnistSize: 60000,
    epochs: 25,
    batchSize: 128,
    width: 1,
    toySteps: 20000,
    toyBatchSize: 512,
    evalSamples: 10000,
    sampleEvery: 200,
    shards: 1,
  },
};

/** Options of {@linkcode resolveProfile}. */
export interface ResolveProfileOptions {
  /** The profile to use. Default: from the backend (`gpu` on a GPU backend, `cpu` otherwise). */
  profile?: ProfileName;
  /** Where `profile` came from, for the profile's `reason`. Default `the profile option`. */
  source?: string;
  /**
   * The backend the run uses, which picks the profile when `profile` is not given. Default the one
   * `initBackend()` chose; without either, and without `profile`, resolving throws.
   */
  backend?: BackendInfo;
  /**
   * Threads per training step. Default 1. More threads than the profile's shards raise `shards` to
   * a multiple of them (a different run from the profile's, the same on any machine).
   */
  workers?: number;
  /** Field-by-field overrides applied last, e.g. `{ epochs: 2 }`. */
  overrides?: Partial<Omit<Profile, "name" | "reason">>;
}

/**
 * The active profile: `options.profile`, else `gpu` when the backend runs on a GPU (webgpu on a
 * hardware adapter, or tfjs-node-gpu) and `cpu` otherwise. Without `profile` it needs the backend:
 * call it after `initBackend()` (or pass `backend`), or it throws rather than guess.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { resolveProfile } from "./profile.ts";
 * const p = resolveProfile({ profile: "ci", overrides: { epochs: 2 } });
 * assertEquals([p.name, p.epochs, p.batchSize, p.shards, p.workers], ["ci", 2, 32, 1, 1]);
 * const cpu = resolveProfile({ profile: "cpu", workers: 2 });
 * assertEquals([cpu.shards, cpu.workers], [2, 2]);
 * assertEquals(resolveProfile({ profile: "cpu", workers: 3 }).shards, 6);
 * ```
 *
 * @example From the backend
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { initBackend } from "./backend.ts";
 * import { resolveProfile } from "./profile.ts";
 * const backend = await initBackend({ backend: "cpu" });
 * assertEquals(resolveProfile({ backend }).name, "cpu");
 * ```
 */
export function resolveProfile(options: ResolveProfileOptions = {}): Profile {
  let name: ProfileName;
  let reason: string;
  if (options.profile !== undefined) {
    name = checkName(options.profile, options.source ?? "profile option");
    reason = `set by ${options.source ?? "the profile option"}`;
  } else {
    const backend = options.backend ?? currentBackend();
    if (!backend) {
      throw new Error(
        "Cannot resolve profile: no backend is initialised yet, and the profile follows the " +
          "backend; call initBackend() (or setupCourse()) first, or pass { profile } or { backend }",
      );
    }
    name = backend.gpu ? "gpu" : "cpu";
    reason = backend.gpu
      ? `default on a GPU (${backend.choice} backend)`
      : "default without a GPU backend";
  }
  const sizes = { ...PROFILES[name], ...options.overrides };
  const workers = options.overrides?.workers ?? options.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1) {
    throw new Error(`Cannot resolve profile: workers must be a positive integer, got ${workers}`);
  }
  if (!Number.isInteger(sizes.shards) || sizes.shards < 1) {
    throw new Error(
      `Cannot resolve profile: shards must be a positive integer, got ${sizes.shards}`,
    );
  }
  const shards = sizes.shards % workers === 0 ? sizes.shards : leastCommonMultiple(
    sizes.shards,
    workers,
  );
  return { name, reason, ...sizes, shards, workers };
}

function leastCommonMultiple(a: number, b: number): number {
  let [x, y] = [a, b];
  while (y !== 0) [x, y] = [y, x % y];
  return (a / x) * b;
}

/**
 * Scale a layer width by the profile's multiplier, never below `min`.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { resolveProfile, scaleWidth } from "./profile.ts";
 * assertEquals(scaleWidth(256, resolveProfile({ profile: "cpu" })), 64);
 * assertEquals(scaleWidth(8, resolveProfile({ profile: "ci" })), 4);
 * ```
 */
export function scaleWidth(width: number, profile: Profile, min = 4): number {
  return Math.max(min, Math.round(width * profile.width));
}

function checkName(value: string, source: string): ProfileName {
  if (value === "ci" || value === "cpu" || value === "gpu") return value;
  throw new Error(
    `Cannot resolve profile: ${source} must be one of ci, cpu, gpu, got "${value}"`,
  );
}
