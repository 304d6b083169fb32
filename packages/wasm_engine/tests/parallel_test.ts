import * as tf from "@tensorflow/tfjs";
import { deepStrictEqual as assertEquals, ok as assert, rejects, throws } from "node:assert/strict";
import { Channel, ParallelAbortError } from "../parallel/channel.ts";
import { startDataParallel } from "../parallel/data_parallel.ts";
import { decodeShard, encodeShards, takeShard } from "../parallel/shards.ts";
import { fingerprint } from "../parallel/snapshot.ts";
import { createReplica } from "./linear_replica.ts";

await tf.setBackend("cpu");

Deno.test("shards: each rank gets its rows, float32 and int32 alike; uneven batches are refused", () => {
  const batch = {
    realImages: tf.range(0, 24).reshape([6, 2, 2]),
    labels: tf.tensor1d([0, 1, 2, 3, 4, 5], "int32"),
  };
  const payload = encodeShards(batch, 3);
  const second = decodeShard(payload, 2);
  assertEquals(second.realImages.shape, [2, 2, 2]);
  assertEquals(Array.from(second.realImages.dataSync()), [16, 17, 18, 19, 20, 21, 22, 23]);
  assertEquals(second.labels.dtype, "int32");
  assertEquals(Array.from(second.labels.dataSync()), [4, 5]);
  const own = takeShard(batch, 3, 0);
  assertEquals(Array.from(own.labels.dataSync()), [0, 1]);
  throws(() => encodeShards(batch, 4), /batch of 6 into 4 equal parts.*multiple of 4/);
  tf.dispose([...Object.values(batch), ...Object.values(second), ...Object.values(own)]);
});

Deno.test("Channel: two threads get the same mean; an abort reaches the waiting rank", async () => {
  const layout = { ranks: 2, capacity: 8, batchBytes: 0 };
  const buffer = Channel.allocate(layout);
  const channelUrl = new URL("../parallel/channel.ts", import.meta.url).href;
  const source = `
    import { Channel } from "${channelUrl}";
    self.onmessage = (e) => {
      const channel = new Channel(e.data.buffer, e.data.layout, 1);
      const mean = channel.allReduceMean(new Float32Array([3, 4, 5]));
      self.postMessage(Array.from(mean));
      try { channel.barrier(); } catch (error) { self.postMessage(String(error.message)); }
    };`;
  const worker = new Worker(
    URL.createObjectURL(new Blob([source], { type: "application/javascript" })),
    { type: "module" },
  );
  const replies: unknown[] = [];
  const gotTwo = new Promise<void>((resolve) => {
    worker.onmessage = (e) => {
      replies.push(e.data);
      if (replies.length === 2) resolve();
    };
  });
  worker.postMessage({ buffer, layout });
  const main = new Channel(buffer, layout, 0);
  assertEquals(Array.from(main.allReduceMean(new Float32Array([1, 2, 3]))), [2, 3, 4]);
  throws(() => main.allReduceMean(new Float32Array(9)), /9 values: the channel holds 8/);
  main.abort("stopped by the test");
  await gotTwo;
  worker.terminate();
  assertEquals(replies[0], [2, 3, 4]);
  assert(String(replies[1]).includes("stopped by the main thread: stopped by the test"));
  throws(() => main.barrier(), ParallelAbortError);
});

Deno.test("startDataParallel(): three ranks end in step, bad options and a bad module are explained", async () => {
  const replicaModule = new URL("./linear_replica.ts", import.meta.url);
  const main = await createReplica({ seed: 3 }, 0);
  const batch = {
    x: tf.randomNormal([12, 2], 0, 1, "float32", 1),
    y: tf.randomNormal([12, 1], 0, 1, "float32", 2),
  };
  const before = fingerprint(main);
  const group = await startDataParallel(main, {
    workers: 3,
    sampleBatch: batch,
    replicaModule,
    replicaInit: { seed: 3 },
  });
  for (let step = 0; step < 4; step++) {
    const own = group.dispatch(batch, step, 0);
    assertEquals(own.x.shape, [4, 2]);
    main.step(own, { step, epoch: 0, rank: 0, reducer: group.reducer });
    tf.dispose(Object.values(own));
  }
  await group.finish(); // compares every worker's fingerprint with the main thread's
  assert(fingerprint(main) !== before, "the weights did not move");
  await rejects(
    startDataParallel(main, { workers: 1, sampleBatch: batch, replicaModule, replicaInit: {} }),
    /workers must be an integer of at least 2/,
  );
  await rejects(
    startDataParallel(main, {
      workers: 2,
      sampleBatch: batch,
      replicaModule: new URL("./helpers.ts", import.meta.url),
      replicaInit: {},
    }),
    /worker 1 failed: the replica module .*helpers.ts exports no createReplica\(\)/,
  );
  main.dispose();
  tf.dispose(Object.values(batch));
});
