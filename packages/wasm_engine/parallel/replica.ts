/**
 * The contract between the data-parallel engine and the code that trains: a replica module, which
 * each worker imports by URL and asks for its copy of the training (`createReplica`), and the
 * messages the main thread sends a worker.
 *
 * The engine knows nothing about what is trained: a replica is a model set and a step function.
 * The step receives a {@linkcode GradientReducer} and must average every gradient through it
 * before applying it, in the same order on every rank.
 *
 * @module
 */
import type { ChannelLayout } from "./channel.ts";
import type { Batch } from "./shards.ts";
import type { ModelSet, Snapshot } from "./snapshot.ts";

/** Averages flat vectors over the shards of a step (bit-identical result on every rank). */
export interface GradientReducer {
  /**
   * The element-wise mean over all shards of the step: `values` is this rank's vector, or one per
   * shard this rank computed (the same length on every rank).
   */
  allReduceMean(values: Float32Array | readonly Float32Array[]): Float32Array;
}

/** Where a step is, as a replica's step sees it. */
export interface ReplicaStep {
  /** The global step, from 0. */
  step: number;
  /** The epoch, from 0. */
  epoch: number;
  /** This thread's rank (0 is the main thread). */
  rank: number;
  /** The all-reduce every gradient goes through before it is applied. */
  reducer: GradientReducer;
}

/** One worker's copy of the training. */
export interface Replica extends ModelSet {
  /** Called once the main thread's weights and optimizer slots are loaded (restore extra state). */
  loaded?(): void | Promise<void>;
  /** Train one step on this rank's share of the batch (the engine disposes the batch). */
  step(batch: Batch, at: ReplicaStep): void;
  /** Free the models and optimizers. */
  dispose(): void;
}

/** What a replica module exports. */
export interface ReplicaModule {
  /**
   * Build the replica of rank `rank` from `init`, the plain values the main thread passed as
   * `replicaInit` (set up the tfjs backend here: a worker starts with none).
   */
  createReplica(init: unknown, rank: number): Replica | Promise<Replica>;
}

/** The message that starts a worker. */
export interface WorkerInit {
  /** URL of the replica module. */
  replicaModule: string;
  /** Its `createReplica` argument (structured-cloneable). */
  replicaInit: unknown;
  /** The main thread's weights and optimizer slots. */
  snapshot: Snapshot;
  buffer: SharedArrayBuffer;
  layout: ChannelLayout;
  rank: number;
}
