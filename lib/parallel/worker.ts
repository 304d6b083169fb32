/**
 * The worker side of data-parallel training (started by `lib/parallel/data_parallel.ts`, never
 * imported by user code). It rebuilds the variant from its recipe, takes the main thread's
 * weights and optimizer state, then runs the steps the main thread publishes on its share of each
 * batch; the gradient all-reduce inside `optimizeWithNorm` keeps it identical to the main thread.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../backend.ts";
import { setGradientReducer } from "../train/gradients.ts";
import { stepRandom } from "../core/random.ts";
import type { GanVariant } from "../train/variant.ts";
import * as factories from "../variants/mod.ts";
import { Channel } from "./channel.ts";
import { decodeShard } from "./shards.ts";
import { applySnapshot, fingerprint, rankSeed, type WorkerInit } from "./snapshot.ts";

/** The worker's global scope, typed without the worker lib (lib/ is checked as one program). */
const scope = globalThis as unknown as {
  onmessage: (event: MessageEvent<WorkerInit>) => void;
  postMessage(message: unknown): void;
  close(): void;
};

scope.onmessage = async (event: MessageEvent<WorkerInit>) => {
  const init = event.data;
  const channel = new Channel(init.buffer, init.layout, init.rank);
  let variant: GanVariant | undefined;
  try {
    await initBackend({ backend: init.backend });
    const factory = (factories as unknown as Record<string, (...args: unknown[]) => GanVariant>)[
      init.recipe.factory
    ];
    if (typeof factory !== "function") {
      throw new Error(`no factory "${init.recipe.factory}" in lib/variants/mod.ts`);
    }
    variant = factory(...init.recipe.args);
    await applySnapshot(variant, init.snapshot);
    setGradientReducer(channel);
    scope.postMessage({ type: "ready" });
    const seed = rankSeed(init.seed, init.rank);
    for (;;) {
      const { command, step, epoch, payload } = channel.receive();
      if (command === "stop") break;
      const batch = decodeShard(payload, init.rank);
      try {
        tf.tidy(() => {
          const logs = variant!.trainStep(batch, { step, epoch, random: stepRandom(seed, step) });
          tf.dispose(Object.values(logs));
        });
      } finally {
        tf.dispose(Object.values(batch));
      }
    }
    scope.postMessage({ type: "done", fingerprint: fingerprint(variant) });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    channel.abort(`worker ${init.rank}: ${message}`);
    scope.postMessage({ type: "error", message });
  } finally {
    setGradientReducer(undefined);
    variant?.dispose();
    scope.close();
  }
};
