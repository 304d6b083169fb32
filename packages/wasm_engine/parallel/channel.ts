/**
 * The shared memory that data-parallel ranks (the main thread and its workers) talk through: a
 * barrier, the gradient all-reduce, the batch each worker trains on, and an abort flag.
 *
 * Everything is synchronous (`Atomics.wait`), because a tfjs training step is synchronous: a
 * variant's step calls the all-reduce in the middle of `optimizeWithNorm` and gets the averaged
 * gradients back before the optimizer applies them. Deno allows `Atomics.wait` on the main thread
 * and in workers.
 *
 * Layout of the `SharedArrayBuffer`:
 *
 * | region | size | what |
 * | --- | --- | --- |
 * | control | 64 bytes | barrier generation and count, abort flag, command, step, epoch |
 * | error | 4 KiB | UTF-8 message of the rank that aborted |
 * | clocks | ranks x 16 doubles | each rank's time in each phase ({@linkcode ChannelProfile}) |
 * | slots | ranks x shardsPerRank x capacity floats | each shard's flattened gradients, in shard order |
 * | result | capacity floats | the mean, each rank reducing its own segment |
 * | batches | batchBytes | the main thread's batch shards for the workers |
 *
 * @module
 */

const CONTROL_INTS = 16;
const ERROR_BYTES = 4096;
const GENERATION = 0;
const ARRIVED = 1;
const ABORTED = 2;
const ERROR_LENGTH = 3;
const COMMAND = 4;
const STEP = 5;
const EPOCH = 6;
const BATCH_LENGTH = 7;

/** The phases a rank's clock adds up, in the order of its slots in the buffer. */
const PHASES = [
  "steps",
  "stepWait",
  "stepCopy",
  "allReduces",
  "reduceCopyIn",
  "reduceWait",
  "reduceSum",
  "reduceCopyOut",
] as const;
const CLOCK_SLOTS = 16;

/**
 * Where one rank's time went since the channel was made (milliseconds, summed over the run;
 * `steps` and `allReduces` are counts). Time outside these phases is the rank's own computing.
 */
export type ChannelProfile = Record<(typeof PHASES)[number], number>;

/** What the main thread tells the workers at a step barrier. */
export type Command = "step" | "stop";

/** Sizes of a channel's regions. */
export interface ChannelLayout {
  /** Ranks, the main thread included (2 = main + one worker). */
  ranks: number;
  /** Floats one all-reduce may carry: every trainable parameter, plus the losses. */
  capacity: number;
  /**
   * Gradient vectors each rank contributes to an all-reduce (its shards of the batch). Default 1.
   * Shard `k` of rank `r` is shard `r * shardsPerRank + k` of the step.
   */
  shardsPerRank?: number;
  /** Bytes for the workers' batch shards of one step (header and data). */
  batchBytes: number;
}

/**
 * The element-wise mean of shard vectors on one thread, with the arithmetic of
 * {@linkcode Channel.allReduceMean}: summed in order in double precision, divided by their count,
 * rounded to float32. A run split into the same shards gives the same bits on one thread or many.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { meanOfShards } from "./channel.ts";
 * const mean = meanOfShards([new Float32Array([1, 2]), new Float32Array([3, 5])]);
 * assertEquals(Array.from(mean), [2, 3.5]);
 * ```
 */
export function meanOfShards(vectors: readonly Float32Array[]): Float32Array {
  const n = vectors[0]?.length ?? 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (const v of vectors) sum += v[i];
    out[i] = sum / vectors.length;
  }
  return out;
}

/** Thrown in every rank when one rank aborted (its error, or the main thread stopping the run). */
export class ParallelAbortError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ParallelAbortError";
  }
}

/**
 * One rank's view of the shared memory.
 *
 * @example One rank: the mean is its own values; a rank outside the layout is refused
 * ```ts
 * import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
 * import { Channel } from "./channel.ts";
 * const layout = { ranks: 1, capacity: 4, batchBytes: 0 };
 * const buffer = Channel.allocate(layout);
 * const only = new Channel(buffer, layout, 0);
 * assertEquals(Array.from(only.allReduceMean(new Float32Array([1, 2, 3]))), [1, 2, 3]);
 * assertEquals(only.profiles()[0].allReduces, 1); // its clocks count the all-reduce
 * throws(() => new Channel(buffer, layout, 1), /rank must be in 0..0, got 1/);
 * ```
 */
export class Channel {
  readonly rank: number;
  readonly layout: ChannelLayout;
  /** How long a rank waits at a barrier before it gives up, in milliseconds. */
  timeoutMs = 300_000;
  readonly #control: Int32Array;
  readonly #error: Uint8Array;
  readonly #clocks: Float64Array;
  readonly #slots: Float32Array;
  readonly #result: Float32Array;
  readonly #batches: Uint8Array;

  /** The buffer a channel with `layout` needs. */
  static allocate(layout: ChannelLayout): SharedArrayBuffer {
    const slots = layout.ranks * (layout.shardsPerRank ?? 1);
    const bytes = CONTROL_INTS * 4 + ERROR_BYTES + layout.ranks * CLOCK_SLOTS * 8 +
      (slots + 1) * layout.capacity * 4 + layout.batchBytes;
    return new SharedArrayBuffer(bytes);
  }

  /** The view of `rank` on `buffer` (made by {@linkcode Channel.allocate} with the same layout). */
  constructor(buffer: SharedArrayBuffer, layout: ChannelLayout, rank: number) {
    if (!Number.isInteger(rank) || rank < 0 || rank >= layout.ranks) {
      throw new Error(`Cannot open channel: rank must be in 0..${layout.ranks - 1}, got ${rank}`);
    }
    this.rank = rank;
    this.layout = layout;
    let offset = 0;
    this.#control = new Int32Array(buffer, offset, CONTROL_INTS);
    offset += CONTROL_INTS * 4;
    this.#error = new Uint8Array(buffer, offset, ERROR_BYTES);
    offset += ERROR_BYTES;
    this.#clocks = new Float64Array(buffer, offset, layout.ranks * CLOCK_SLOTS);
    offset += layout.ranks * CLOCK_SLOTS * 8;
    const slots = layout.ranks * (layout.shardsPerRank ?? 1);
    this.#slots = new Float32Array(buffer, offset, slots * layout.capacity);
    offset += slots * layout.capacity * 4;
    this.#result = new Float32Array(buffer, offset, layout.capacity);
    offset += layout.capacity * 4;
    this.#batches = new Uint8Array(buffer, offset, layout.batchBytes);
  }

  /** Wait until every rank has arrived; throws {@linkcode ParallelAbortError} if one aborted. */
  barrier(): void {
    const c = this.#control;
    this.#throwIfAborted();
    const generation = Atomics.load(c, GENERATION);
    if (Atomics.add(c, ARRIVED, 1) === this.layout.ranks - 1) {
      Atomics.store(c, ARRIVED, 0);
      Atomics.add(c, GENERATION, 1);
      Atomics.notify(c, GENERATION);
      return;
    }
    const deadline = performance.now() + this.timeoutMs;
    while (Atomics.load(c, GENERATION) === generation) {
      Atomics.wait(c, GENERATION, generation, 1000);
      if (Atomics.load(c, GENERATION) !== generation) break; // everyone arrived
      this.#throwIfAborted();
      if (performance.now() > deadline) {
        this.abort(
          `rank ${this.rank} waited ${this.timeoutMs / 1000} s at a barrier; another rank ` +
            `stopped answering (crashed, or out of memory)`,
        );
        this.#throwIfAborted();
      }
    }
  }

  /**
   * The element-wise mean over every shard of the step of each shard's vector: `values` is this
   * rank's vector, or one vector per shard of this rank (`shardsPerRank` of them, all of one
   * length). The vectors are summed in shard order, whichever rank computed them, then divided by
   * the number of shards (in double precision), each rank reducing one segment: every rank gets
   * bit-identical results, and the same ones as {@linkcode meanOfShards} on one thread.
   */
  allReduceMean(values: Float32Array | readonly Float32Array[]): Float32Array {
    const { ranks, capacity } = this.layout;
    const perRank = this.layout.shardsPerRank ?? 1;
    const vectors = values instanceof Float32Array ? [values] : values;
    if (vectors.length !== perRank) {
      throw new Error(
        `Cannot all-reduce ${vectors.length} shard vector(s): each rank contributes ` +
          `${perRank} (shardsPerRank)`,
      );
    }
    const n = vectors[0].length;
    if (n > capacity) {
      throw new Error(
        `Cannot all-reduce ${n} values: the channel holds ${capacity}; the models grew after ` +
          `the workers started`,
      );
    }
    const t0 = performance.now();
    vectors.forEach((v, k) => this.#slots.set(v, (this.rank * perRank + k) * capacity));
    const t1 = performance.now();
    this.barrier();
    const t2 = performance.now();
    const shards = ranks * perRank;
    const segment = Math.ceil(n / ranks);
    const start = Math.min(n, this.rank * segment);
    const end = Math.min(n, start + segment);
    for (let i = start; i < end; i++) {
      let sum = 0;
      for (let s = 0; s < shards; s++) sum += this.#slots[s * capacity + i];
      this.#result[i] = sum / shards;
    }
    const t3 = performance.now();
    this.barrier();
    const t4 = performance.now();
    const mean = this.#result.slice(0, n);
    const clock = this.#clockOf(this.rank);
    clock[PHASES.indexOf("allReduces")]++;
    clock[PHASES.indexOf("reduceCopyIn")] += t1 - t0;
    clock[PHASES.indexOf("reduceWait")] += t2 - t1 + t4 - t3;
    clock[PHASES.indexOf("reduceSum")] += t3 - t2;
    clock[PHASES.indexOf("reduceCopyOut")] += performance.now() - t4;
    return mean;
  }

  /** Add `ms` milliseconds (or a count) to this rank's `phase` (see {@linkcode ChannelProfile}). */
  record(phase: keyof ChannelProfile, ms: number): void {
    this.#clockOf(this.rank)[PHASES.indexOf(phase)] += ms;
  }

  /**
   * Every rank's time per phase so far (the same figures from any rank). Subtract two readings
   * for the figures of the steps between them.
   */
  profiles(): ChannelProfile[] {
    return Array.from({ length: this.layout.ranks }, (_, rank) => {
      const clock = this.#clockOf(rank);
      return Object.fromEntries(PHASES.map((p, i) => [p, clock[i]])) as ChannelProfile;
    });
  }

  #clockOf(rank: number): Float64Array {
    return this.#clocks.subarray(rank * CLOCK_SLOTS, (rank + 1) * CLOCK_SLOTS);
  }

  /**
   * Main thread: publish a command with the workers' batch shards (`payload`, see
   * `encodeShards`) and meet the workers at the step barrier.
   */
  publish(command: Command, step: number, epoch: number, payload?: Uint8Array): void {
    const length = payload?.length ?? 0;
    if (length > this.#batches.length) {
      throw new Error(
        `Cannot send a batch of ${length} bytes to the workers: the channel holds ` +
          `${this.#batches.length}; batches must not grow during a run`,
      );
    }
    const t0 = performance.now();
    if (payload) this.#batches.set(payload);
    Atomics.store(this.#control, COMMAND, command === "stop" ? 1 : 0);
    Atomics.store(this.#control, STEP, step);
    Atomics.store(this.#control, EPOCH, epoch);
    Atomics.store(this.#control, BATCH_LENGTH, length);
    const t1 = performance.now();
    this.barrier();
    this.#recordStep(t1 - t0, performance.now() - t1);
  }

  #recordStep(copyMs: number, waitMs: number): void {
    const clock = this.#clockOf(this.rank);
    clock[PHASES.indexOf("steps")]++;
    clock[PHASES.indexOf("stepCopy")] += copyMs;
    clock[PHASES.indexOf("stepWait")] += waitMs;
  }

  /** Worker: wait for the main thread's next command and read it (the payload is a copy). */
  receive(): { command: Command; step: number; epoch: number; payload: Uint8Array } {
    const t0 = performance.now();
    this.barrier();
    const t1 = performance.now();
    const length = Atomics.load(this.#control, BATCH_LENGTH);
    const received = {
      command: Atomics.load(this.#control, COMMAND) === 1 ? "stop" as const : "step" as const,
      step: Atomics.load(this.#control, STEP),
      epoch: Atomics.load(this.#control, EPOCH),
      payload: this.#batches.slice(0, length),
    };
    this.#recordStep(performance.now() - t1, t1 - t0);
    return received;
  }

  /** Make every rank's next (or current) wait throw with `message` (the first abort wins). */
  abort(message: string): void {
    if (Atomics.compareExchange(this.#control, ABORTED, 0, this.rank + 1) !== 0) return;
    const bytes = new TextEncoder().encode(message).slice(0, ERROR_BYTES);
    this.#error.set(bytes);
    Atomics.store(this.#control, ERROR_LENGTH, bytes.length);
    // Wake the waiting ranks without completing their barrier: they see the flag and throw.
    Atomics.notify(this.#control, GENERATION);
  }

  /** Whether a rank aborted. */
  get aborted(): boolean {
    return Atomics.load(this.#control, ABORTED) !== 0;
  }

  #throwIfAborted(): void {
    const who = Atomics.load(this.#control, ABORTED);
    if (who === 0) return;
    const length = Atomics.load(this.#control, ERROR_LENGTH);
    const message = new TextDecoder().decode(this.#error.slice(0, length));
    const source = who === 1 ? "the main thread" : `worker ${who - 1}`;
    throw new ParallelAbortError(`Data-parallel training stopped by ${source}: ${message}`);
  }
}
