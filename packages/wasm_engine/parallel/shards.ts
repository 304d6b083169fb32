/**
 * Splitting a training batch between data-parallel ranks: rank r trains on rows
 * `[r * n / ranks, (r + 1) * n / ranks)` of every tensor. The main thread keeps rank 0's rows as
 * tensors and packs the other ranks' rows into one byte payload for the shared memory.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** A training batch: tensors by name that share their first dimension (the rows). */
export type Batch = Record<string, tf.Tensor>;

interface TensorEntry {
  key: string;
  dtype: "float32" | "int32";
  shape: number[];
  /** Byte offset of the values in the payload. */
  offset: number;
}

/**
 * The rows `[start, end)` of rank `rank` in a batch of `rows` rows; throws when the batch does not
 * split evenly (every rank must average equal shares for the mean gradient to be the batch's).
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
 * import { shardRows } from "./shards.ts";
 * assertEquals(shardRows(64, 2, 1), [32, 64]);
 * throws(() => shardRows(10, 4, 0), /multiple of 4/);
 * ```
 */
export function shardRows(rows: number, ranks: number, rank: number): [number, number] {
  if (rows % ranks !== 0) {
    throw new Error(
      `Cannot split a batch of ${rows} into ${ranks} equal parts for data-parallel training; ` +
        `use a batch size that is a multiple of ${ranks}, or fewer workers`,
    );
  }
  const size = rows / ranks;
  return [rank * size, (rank + 1) * size];
}

/** The first-axis size of a batch (all its tensors share it). */
function batchRows(batch: Batch): number {
  const sizes = Object.values(batch).map((t) => t.shape[0] ?? 0);
  if (sizes.length === 0 || sizes.some((s) => s !== sizes[0])) {
    throw new Error(
      `Cannot split a batch for data-parallel training: its tensors must share the first ` +
        `dimension, got ${JSON.stringify(sizes)} (unpaired domains of different batch sizes?)`,
    );
  }
  return sizes[0];
}

/**
 * Rank `rank`'s part of `batch`, as new tensors (the caller disposes them).
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { takeShard } from "./shards.ts";
 * const part = takeShard({ x: tf.range(0, 4).reshape([4, 1]) }, 2, 1);
 * assertEquals(Array.from(part.x.dataSync()), [2, 3]);
 * ```
 */
export function takeShard(batch: Batch, ranks: number, rank: number): Batch {
  const [start, end] = shardRows(batchRows(batch), ranks, rank);
  const out: Batch = {};
  for (const [key, t] of Object.entries(batch)) out[key] = t.slice(start, end - start);
  return out;
}

/**
 * Pack the shards of ranks 1..ranks-1 into one payload: a 4-byte header length, a JSON header per
 * rank, and the values (4-byte aligned).
 *
 * @example Round trip through {@linkcode decodeShard}
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { decodeShard, encodeShards } from "./shards.ts";
 * const payload = encodeShards({ x: tf.tensor2d([[1], [2], [3], [4]]) }, 2);
 * assertEquals(Array.from(decodeShard(payload, 1).x.dataSync()), [3, 4]);
 * ```
 */
export function encodeShards(batch: Batch, ranks: number): Uint8Array {
  const rows = batchRows(batch);
  const perRank: TensorEntry[][] = [];
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const values = Object.entries(batch).map(([key, t]) => {
    if (t.dtype !== "float32" && t.dtype !== "int32") {
      throw new Error(
        `Cannot send batch tensor "${key}" to a worker: dtype ${t.dtype}; use float32 or int32`,
      );
    }
    return { key, t, data: t.dataSync() as Float32Array | Int32Array };
  });
  for (let rank = 1; rank < ranks; rank++) {
    const [start, end] = shardRows(rows, ranks, rank);
    const entries: TensorEntry[] = [];
    for (const { key, t, data } of values) {
      const rowSize = t.size / rows;
      const part = data.subarray(start * rowSize, end * rowSize);
      const bytes = new Uint8Array(part.buffer, part.byteOffset, part.byteLength);
      entries.push({
        key,
        dtype: t.dtype as "float32" | "int32",
        shape: [end - start, ...t.shape.slice(1)],
        offset,
      });
      chunks.push(bytes);
      offset += bytes.length;
    }
    perRank.push(entries);
  }
  const header = new TextEncoder().encode(JSON.stringify(perRank));
  const dataStart = align4(4 + header.length);
  const payload = new Uint8Array(dataStart + offset);
  new DataView(payload.buffer).setUint32(0, header.length, true);
  payload.set(header, 4);
  let at = dataStart;
  for (const chunk of chunks) {
    payload.set(chunk, at);
    at += chunk.length;
  }
  return payload;
}

/** Rank `rank`'s batch from a payload of {@linkcode encodeShards} (new tensors). */
export function decodeShard(payload: Uint8Array, rank: number): Batch {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const headerLength = view.getUint32(0, true);
  const perRank = JSON.parse(
    new TextDecoder().decode(payload.subarray(4, 4 + headerLength)),
  ) as TensorEntry[][];
  const entries = perRank[rank - 1];
  if (!entries) throw new Error(`Cannot read the batch of rank ${rank}: the payload has none`);
  const dataStart = align4(4 + headerLength);
  const out: Batch = {};
  for (const { key, dtype, shape, offset } of entries) {
    const count = shape.reduce((a, b) => a * b, 1);
    const start = payload.byteOffset + dataStart + offset;
    const bytes = payload.buffer.slice(start, start + count * 4) as ArrayBuffer;
    out[key] = tf.tensor(
      dtype === "int32" ? new Int32Array(bytes) : new Float32Array(bytes),
      shape,
      dtype,
    );
  }
  return out;
}

function align4(n: number): number {
  return Math.ceil(n / 4) * 4;
}
