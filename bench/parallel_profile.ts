/**
 * `deno run -A bench/parallel_profile.ts`: where a data-parallel `train()` step's time goes, rank
 * by rank, on the DCGAN of the `cpu` profile (width 0.25, batch 64): the course's own `train()`
 * with `dataParallel({ workers, shards })`, alternating with the same run on one thread (same
 * shards) so that the load of a shared machine hits both.
 *
 * For each rank it splits the median step into the phases the engine's channel clocks
 * (`Channel.profiles()`): waiting for the step's batch (a worker waits there while the main thread
 * finishes its step and prepares the next), copying it, the gradient all-reduces (copy in, waiting
 * for the other ranks, summing, copy out) and the rest, the rank's own computing. For the main
 * thread, "loop" is what `train()` does around the step (batches, losses, callbacks).
 *
 * Flags: --width W (0.25), --workers N (2), --shards N (2), --rounds N (3), --steps N (8 timed
 * steps per round), --warmup N (1: untimed steps before them, for V8 to compile the step's code in
 * a new worker), --tutorial (width 1).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { ChannelProfile } from "@gan/wasm-engine/parallel";
import { initBackend } from "../lib/backend.ts";
import { train } from "../lib/train/loop.ts";
import { createVariant, dataParallel } from "@course/lib/variants";
import { median } from "./torch_runner.ts";

interface Flags {
  width: number;
  workers: number;
  shards: number;
  rounds: number;
  steps: number;
  warmup: number;
}

function parseFlags(args: string[]): Flags {
  const value = (name: string, fallback: number) => {
    const i = args.indexOf(name);
    if (i < 0) return fallback;
    const n = Number(args[i + 1]);
    if (!(n > 0)) {
      throw new Error(`Cannot profile: ${name} needs a positive number, got ${args[i + 1]}`);
    }
    return n;
  };
  return {
    width: args.includes("--tutorial") ? 1 : value("--width", 0.25),
    workers: value("--workers", 2),
    shards: value("--shards", 2),
    rounds: value("--rounds", 3),
    steps: value("--steps", 8),
    warmup: value("--warmup", 1),
  };
}

/** One timed run: per-step wall times, main-thread step times, and the channel's clocks. */
interface RunProfile {
  /** Milliseconds between the ends of consecutive steps. */
  intervals: number[];
  /** Milliseconds the main thread spent inside the variant's step (all-reduces included). */
  inStep: number[];
  /** Each rank's channel clocks over the timed steps, per step (workers only). */
  ranks: ChannelProfile[];
  /** CPU milliseconds per timed step, by thread kind ({@linkcode threadCpu}). */
  cpu: Record<string, number>;
}

/**
 * CPU milliseconds of this process's threads by kind (Linux `/proc/self/task`; empty elsewhere):
 * the main thread, the workers (`worker-N`), V8's helper threads (garbage collection,
 * compilation) and the rest.
 */
function threadCpu(): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    for (const entry of Deno.readDirSync("/proc/self/task")) {
      const dir = `/proc/self/task/${entry.name}`;
      const comm = Deno.readTextFileSync(`${dir}/comm`).trim();
      const fields = Deno.readTextFileSync(`${dir}/stat`).split(") ")[1].split(" ");
      const ms = (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, 100 ticks/s
      const kind = entry.name === String(Deno.pid)
        ? "main"
        : comm.startsWith("worker-")
        ? "workers"
        : comm.startsWith("V8")
        ? "V8 helpers"
        : "other";
      out[kind] = (out[kind] ?? 0) + ms;
    }
  } catch {
    // No /proc: no CPU figures.
  }
  return out;
}

interface Profiled {
  profiles(): ChannelProfile[];
}

/** Run `warmup + steps` steps of `train()` and profile the last `steps`. */
async function profileRun(flags: Flags, workers: number): Promise<RunProfile> {
  const variant = createVariant("dcgan", { width: flags.width, seed: 1 });
  const images = tf.randomUniform(
    [64 * (flags.warmup + flags.steps), 28, 28, 1],
    -1,
    1,
    "float32",
    1,
  );
  const step = variant.trainStep.bind(variant);
  const inStep: number[] = [];
  const ends: number[] = [];
  let channel: Profiled | undefined;
  let first: ChannelProfile[] = [];
  variant.trainStep = (batch, context) => {
    const reducer = context.reducer as Partial<Profiled> | undefined;
    if (reducer?.profiles && !channel) {
      channel = reducer as Profiled;
      first = channel.profiles();
    }
    const start = performance.now();
    const logs = step(batch, context);
    inStep.push(performance.now() - start);
    return logs;
  };
  let last: ChannelProfile[] = [];
  let cpuStart: Record<string, number> = {};
  let cpuEnd: Record<string, number> = {};
  try {
    await train(variant, { realImages: images }, {
      batchSize: 64,
      executor: dataParallel({ workers, shards: flags.shards }),
      guards: false,
      callbacks: [{
        onStepEnd: () => {
          ends.push(performance.now());
          // After the untimed steps: the clocks start here.
          if (ends.length === flags.warmup) {
            cpuStart = threadCpu();
            if (channel) first = channel.profiles();
          }
          cpuEnd = threadCpu();
          if (channel) last = channel.profiles();
        },
      }],
    });
  } finally {
    variant.dispose();
    images.dispose();
  }
  const steps = ends.length - flags.warmup;
  const ranks = last.map((p, r) =>
    Object.fromEntries(
      Object.entries(p).map(([k, v]) => [k, (v - first[r][k as keyof ChannelProfile]) / steps]),
    ) as ChannelProfile
  );
  const cpu = Object.fromEntries(
    Object.entries(cpuEnd).map(([k, v]) => [k, (v - (cpuStart[k] ?? 0)) / steps]),
  );
  return {
    intervals: ends.slice(flags.warmup).map((t, i) => t - ends[flags.warmup - 1 + i]),
    inStep: inStep.slice(flags.warmup),
    ranks,
    cpu,
  };
}

function breakdown(run: RunProfile[]): Record<string, string>[] {
  const interval = median(run.flatMap((r) => r.intervals));
  const inStep = median(run.flatMap((r) => r.inStep));
  const ranks = run[0].ranks.length;
  const rows: Record<string, string>[] = [];
  const ms = (x: number) => x.toFixed(1);
  for (let rank = 0; rank < ranks; rank++) {
    const phase = (k: keyof ChannelProfile) => median(run.map((r) => r.ranks[rank][k]));
    const reduce = phase("reduceCopyIn") + phase("reduceWait") + phase("reduceSum") +
      phase("reduceCopyOut");
    const step = phase("stepWait") + phase("stepCopy");
    const computing = rank === 0 ? inStep - reduce : interval - step - reduce;
    rows.push({
      rank: rank === 0 ? "0 (main)" : String(rank),
      "step ms": ms(interval),
      "batch wait": ms(phase("stepWait")),
      "batch copy": ms(phase("stepCopy")),
      "all-reduces": String(phase("allReduces")),
      "reduce copy in": ms(phase("reduceCopyIn")),
      "reduce wait": ms(phase("reduceWait")),
      "reduce sum": ms(phase("reduceSum")),
      "reduce copy out": ms(phase("reduceCopyOut")),
      computing: ms(computing),
      loop: rank === 0 ? ms(interval - inStep - step) : "",
    });
  }
  return rows;
}

async function main() {
  const flags = parseFlags(Deno.args);
  await initBackend({ backend: "wasm" });
  const load = Deno.loadavg();
  const one: RunProfile[] = [];
  const many: RunProfile[] = [];
  for (let r = 0; r < flags.rounds; r++) {
    one.push(await profileRun(flags, 1));
    many.push(await profileRun(flags, flags.workers));
    console.log(`  steps, 1 thread: ${one[r].intervals.map((x) => x.toFixed(0)).join(" ")}`);
    console.log(
      `  steps, ${flags.workers} workers: ${many[r].intervals.map((x) => x.toFixed(0)).join(" ")}`,
    );
    console.log(
      `round ${r + 1}: 1 thread ${median(one[r].intervals).toFixed(1)} ms, ${flags.workers} ` +
        `workers ${median(many[r].intervals).toFixed(1)} ms (median step)`,
    );
  }
  const oneMs = one.map((r) => median(r.intervals));
  const manyMs = many.map((r) => median(r.intervals));
  console.log(
    `width ${flags.width}, ${flags.shards} shards, ${flags.rounds} rounds of ${flags.steps} ` +
      `steps after ${flags.warmup}; load ${load.map((l) => l.toFixed(2)).join(" ")} -> ${
        Deno.loadavg().map((l) => l.toFixed(2)).join(" ")
      }`,
  );
  console.log(
    `1 thread: ${median(oneMs).toFixed(1)} ms/step (rounds ${
      oneMs.map((x) => x.toFixed(1)).join(", ")
    }); ${flags.workers} workers: ${median(manyMs).toFixed(1)} ms/step (rounds ${
      manyMs.map((x) => x.toFixed(1)).join(", ")
    }); speed-up ${(median(oneMs) / median(manyMs)).toFixed(2)}x`,
  );
  console.log(`${flags.workers} workers, per step (median over rounds, ms):`);
  console.table(breakdown(many));
  const cpu = (runs: RunProfile[]) =>
    Object.keys(runs[0].cpu).map((k) => `${k} ${median(runs.map((r) => r.cpu[k] ?? 0)).toFixed(1)}`)
      .join(", ");
  console.log(`CPU ms per step, 1 thread: ${cpu(one)}`);
  console.log(`CPU ms per step, ${flags.workers} workers: ${cpu(many)}`);
}

if (import.meta.main) await main();
