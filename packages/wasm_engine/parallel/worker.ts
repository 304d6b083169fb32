/**
 * The worker side of data-parallel training (started by `data_parallel.ts`, never imported by
 * user code). It imports the replica module the main thread named, builds its replica, loads the
 * main thread's weights and optimizer slots, then trains the steps the main thread publishes on
 * its share of each batch; the all-reduce inside each step keeps it identical to the main thread.
 *
 * @module
 */
import { Channel } from "./channel.ts";
import type { Replica, ReplicaModule, WorkerInit } from "./replica.ts";
import { decodeShard } from "./shards.ts";
import { applySnapshot, fingerprint } from "./snapshot.ts";
import * as tf from "@tensorflow/tfjs";

/** The worker's global scope, typed without the worker lib (checked as one program). */
const scope = globalThis as unknown as {
  onmessage: (event: MessageEvent<WorkerInit>) => void;
  postMessage(message: unknown): void;
  close(): void;
};

scope.onmessage = async (event: MessageEvent<WorkerInit>) => {
  const init = event.data;
  const channel = new Channel(init.buffer, init.layout, init.rank);
  let replica: Replica | undefined;
  try {
    const module = await import(init.replicaModule) as Partial<ReplicaModule>;
    if (typeof module.createReplica !== "function") {
      throw new Error(`the replica module ${init.replicaModule} exports no createReplica()`);
    }
    replica = await module.createReplica(init.replicaInit, init.rank);
    await applySnapshot(replica, init.snapshot);
    await replica.loaded?.();
    scope.postMessage({ type: "ready" });
    for (;;) {
      const { command, step, epoch, payload } = channel.receive();
      if (command === "stop") break;
      const start = performance.now();
      const batch = decodeShard(payload, init.rank);
      channel.record("stepCopy", performance.now() - start);
      try {
        replica.step(batch, { step, epoch, rank: init.rank, reducer: channel });
      } finally {
        tf.dispose(Object.values(batch));
      }
    }
    scope.postMessage({ type: "done", fingerprint: fingerprint(replica) });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    channel.abort(`worker ${init.rank}: ${message}`);
    scope.postMessage({ type: "error", message });
  } finally {
    replica?.dispose();
    scope.close();
  }
};
