/**
 * Data-parallel training between the main thread and Deno workers over shared memory: start a
 * group with {@linkcode startDataParallel}, give each step its shard and the group's reducer.
 *
 * @module
 */
export { type DataParallel, type DataParallelOptions, startDataParallel } from "./data_parallel.ts";
export type {
  GradientReducer,
  Replica,
  ReplicaModule,
  ReplicaStep,
  WorkerInit,
} from "./replica.ts";
export {
  Channel,
  type ChannelLayout,
  type ChannelProfile,
  meanOfShards,
  ParallelAbortError,
} from "./channel.ts";
export { type Batch, decodeShard, encodeShards, shardRows, takeShard } from "./shards.ts";
export {
  applySnapshot,
  fingerprint,
  type ModelSet,
  type Snapshot,
  takeSnapshot,
  type TensorCopy,
} from "./snapshot.ts";
