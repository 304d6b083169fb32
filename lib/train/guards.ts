/**
 * Early-failure guards: stop a run with a clear message when it is clearly broken, following the
 * homework report's signals (a discriminator loss that goes to 0 means the run can be killed;
 * gradient norms above about 100 mean trouble) plus NaN/Inf losses.
 *
 * @module
 */

/** Options of the guards; `false` on a field turns that guard off. */
export interface GuardOptions {
  /** Stop on a NaN or infinite logged value. Default `true`. */
  nonFinite?: boolean;
  /**
   * Stop when `dLoss` stays below `threshold` for `patience` steps in a row (D wins outright and
   * G gets no gradient). Default `{ threshold: 1e-3, patience: 200 }`. Not applied to critics
   * (WGAN losses are not bounded below), which report `criticLoss` instead of `dLoss`.
   */
  dLossCollapse?: false | { threshold: number; patience: number };
  /** Stop when any `*GradNorm` value exceeds this bound. Default `1000`. */
  maxGradNorm?: false | number;
}

/** The defaults of {@linkcode GuardOptions}. */
export const GUARD_DEFAULTS: Required<GuardOptions> = {
  nonFinite: true,
  dLossCollapse: { threshold: 1e-3, patience: 200 },
  maxGradNorm: 1000,
};

/** Thrown by `train()` when a guard stops the run; carries where it stopped. */
export class TrainingStoppedError extends Error {
  /** Which guard fired. */
  readonly guard: "nonFinite" | "dLossCollapse" | "maxGradNorm";
  /** The step (finished steps) at which it fired. */
  readonly step: number;

  /** Create the error (the loop does this). */
  constructor(guard: TrainingStoppedError["guard"], step: number, message: string) {
    super(message);
    this.name = "TrainingStoppedError";
    this.guard = guard;
    this.step = step;
  }
}

/** A stateful checker: feed it each step's logs; it throws {@linkcode TrainingStoppedError}. */
export interface Guard {
  /** Check one step's values (`step` = finished steps). */
  check(step: number, logs: Record<string, number>): void;
}

/**
 * Make the guard checker of a run.
 *
 * @example NaN stops the run
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { makeGuard } from "./guards.ts";
 * const guard = makeGuard();
 * guard.check(1, { dLoss: 0.7, gLoss: 0.7 });
 * try {
 *   guard.check(2, { dLoss: NaN, gLoss: 0.7 });
 * } catch (error) {
 *   assert((error as Error).message.startsWith("Training stopped at step 2"));
 * }
 * ```
 */
export function makeGuard(options: GuardOptions = {}): Guard {
  const o = { ...GUARD_DEFAULTS, ...options };
  let lowDLossSteps = 0;
  return {
    check(step, logs) {
      if (o.nonFinite) {
        const bad = Object.entries(logs).filter(([, v]) => !Number.isFinite(v));
        if (bad.length > 0) {
          throw new TrainingStoppedError(
            "nonFinite",
            step,
            `Training stopped at step ${step}: ${bad.map(([k, v]) => `${k} = ${v}`).join(", ")}. ` +
              `The weights have diverged; resume from the last checkpoint with a lower learning ` +
              `rate, or check the data range ([-1, 1]) and the losses (they take logits).`,
          );
        }
      }
      if (o.dLossCollapse && "dLoss" in logs) {
        lowDLossSteps = logs.dLoss < o.dLossCollapse.threshold ? lowDLossSteps + 1 : 0;
        if (lowDLossSteps >= o.dLossCollapse.patience) {
          throw new TrainingStoppedError(
            "dLossCollapse",
            step,
            `Training stopped at step ${step}: dLoss stayed below ${o.dLossCollapse.threshold} ` +
              `for ${lowDLossSteps} steps. The discriminator wins outright and the generator gets ` +
              `no useful gradient; restart with a weaker D (fewer D updates, label smoothing, ` +
              `instance noise) or a lower D learning rate.`,
          );
        }
      }
      if (o.maxGradNorm !== false) {
        for (const [key, value] of Object.entries(logs)) {
          if (key.endsWith("GradNorm") && value > o.maxGradNorm) {
            throw new TrainingStoppedError(
              "maxGradNorm",
              step,
              `Training stopped at step ${step}: ${key} = ${value.toFixed(1)} exceeds ` +
                `${o.maxGradNorm}. Exploding gradients; lower the learning rate, add batch norm ` +
                `or a gradient penalty, or raise guards.maxGradNorm if this is expected.`,
            );
          }
        }
      }
    },
  };
}
