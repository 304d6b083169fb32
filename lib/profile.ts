/**
 * Run-size profiles: one place that maps `ci`, `cpu` and `gpu` to data sizes, epochs, batch sizes
 * and model widths, so that notebooks never hard-code two versions of a config.
 *
 * - `ci`: seconds per notebook, for the test suite; results are only smoke checks.
 * - `cpu`: minutes per notebook on a 2-core laptop with the wasm backend; results are real.
 * - `gpu`: paper-like sizes for a GPU backend (`webgpu` on a hardware adapter, or tfjs-node-gpu).
 *
 * The profile is picked from the backend (`gpu` on a GPU backend, `cpu` otherwise) unless the
 * `COURSE_PROFILE` environment variable or the `profile` option names one. `COURSE_WORKERS`
 * (a number, or `auto` for the machine's cores up to 4) sets `workers`, the threads each training
 * step is shared between on the wasm and cpu backends (`train(..., { workers })`).
 *
 * @module
 */
import { currentBackend } from "./backend.ts";

/** The profile names. */
export type ProfileName = "ci" | "cpu" | "gpu";

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
   * Threads per training step (data parallelism on the wasm and cpu backends): 1 unless
   * `COURSE_WORKERS` says otherwise. Pass it to `train(..., { workers: profile.workers })`.
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
  },
};

/** Options of {@linkcode resolveProfile}. */
export interface ResolveProfileOptions {
  /** Force a profile; `COURSE_PROFILE` still wins, as it is the user's override. */
  profile?: ProfileName;
  /** Field-by-field overrides applied last, e.g. `{ epochs: 2 }`. */
  overrides?: Partial<Omit<Profile, "name" | "reason">>;
}

/**
 * The active profile: `COURSE_PROFILE`, else `options.profile`, else `gpu` when the backend runs on
 * a GPU (webgpu on a hardware adapter, or tfjs-node-gpu) and `cpu` otherwise.
 *
 * @example
 * ```ts
 * import { resolveProfile } from "@course/profile.ts";
 * const p = resolveProfile({ profile: "ci", overrides: { epochs: 2 } });
 * console.log(p.name, p.epochs, p.batchSize); // ci 2 32
 * ```
 */
export function resolveProfile(options: ResolveProfileOptions = {}): Profile {
  const fromEnv = readProfileEnv();
  let name: ProfileName;
  let reason: string;
  if (fromEnv) {
    name = fromEnv;
    reason = "set by COURSE_PROFILE";
  } else if (options.profile) {
    name = checkName(options.profile, "profile option");
    reason = "set by the profile option";
  } else if (currentBackend()?.gpu) {
    name = "gpu";
    reason = `default on a GPU (${currentBackend()?.choice} backend)`;
  } else {
    name = "cpu";
    reason = "default without a GPU backend";
  }
  return { name, reason, ...PROFILES[name], workers: readWorkersEnv(), ...options.overrides };
}

function readWorkersEnv(): number {
  let value: string | undefined;
  try {
    value = Deno.env.get("COURSE_WORKERS")?.trim().toLowerCase();
  } catch {
    return 1;
  }
  if (!value) return 1;
  if (value === "auto") return Math.max(1, Math.min(4, navigator.hardwareConcurrency ?? 1));
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(
      `Cannot resolve profile: COURSE_WORKERS must be a positive integer or "auto", got "${value}"`,
    );
  }
  return n;
}

/**
 * Scale a layer width by the profile's multiplier, never below `min`.
 *
 * @example
 * ```ts
 * import { resolveProfile, scaleWidth } from "@course/profile.ts";
 * console.log(scaleWidth(256, resolveProfile({ profile: "cpu" }))); // 64
 * ```
 */
export function scaleWidth(width: number, profile: Profile, min = 4): number {
  return Math.max(min, Math.round(width * profile.width));
}

function readProfileEnv(): ProfileName | undefined {
  let value: string | undefined;
  try {
    value = Deno.env.get("COURSE_PROFILE")?.trim().toLowerCase();
  } catch {
    return undefined;
  }
  return value ? checkName(value, "COURSE_PROFILE") : undefined;
}

function checkName(value: string, source: string): ProfileName {
  if (value === "ci" || value === "cpu" || value === "gpu") return value;
  throw new Error(
    `Cannot resolve profile: ${source} must be one of ci, cpu, gpu, got "${value}"`,
  );
}
