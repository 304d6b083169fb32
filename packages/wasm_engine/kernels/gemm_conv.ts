/**
 * Convolutions (and, through `matmul.ts`, matrix products) on the wasm backend through the
 * engine's fused-multiply-add kernel (`gemm.ts`) instead of XNNPACK.
 *
 * A convolution `y[n, p, q, o] = sum_{a, b, c} x[n, s*p + d*a - top, s*q + d*b - left, c]
 * w[a, b, c, o]` is one indirect matrix product: for each filter tap `(a, b)`, row `(n, p, q)` of the
 * left operand is the input pixel's channel vector (or a row of zeros in the padding), and the right
 * operand is the tap's `[inChannels, outChannels]` slice of the filter. Convolutions with fewer
 * than 8 input or output channels (an MNIST model's first layer and its gradient) stay on XNNPACK,
 * which measured faster on them.
 *
 * Output positions near the border read some taps in the padding. The rows of the product are
 * ordered so that positions reading the same taps sit together (all positions of one border class,
 * for every image, then the next class), and the kernel skips a tap for a block of rows that all
 * read it in the padding. In a 5x5 "same" convolution on 7x7 images (the tutorial generator's
 * first, and largest, layer) 31% of the multiply-adds fall in the padding, and nearly all of them
 * are skipped that way. The kernel writes each row straight to its row-major place (an output
 * table), so the product leaves in one copy.
 *
 * Every convolution of the engine's wasm kernels (forward, and the input and filter gradients of
 * `conv.ts`) runs here when the kernel is available and {@linkcode setWasmGemm} has not turned
 * it off; otherwise XNNPACK runs them.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import type { Pads, Scratch } from "./scratch.ts";
import { GEMM_COL_BLOCK, GEMM_ROW_BLOCK, wasmGemm } from "./gemm.ts";

/**
 * Convolutions with fewer input or output channels stay on XNNPACK: the kernel computes 8 output
 * channels at a time, and its inner loop runs over the input channels of one tap.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { GEMM_MIN_CHANNELS } from "./gemm_conv.ts";
 * assertEquals(GEMM_MIN_CHANNELS, 8);
 * ```
 */
export const GEMM_MIN_CHANNELS = 8;

let enabled = true;

/**
 * Turn the engine's kernel on or off for convolutions on wasm (on by default; off runs XNNPACK),
 * e.g. to compare the two in a benchmark. Returns whether the kernel will run.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { setWasmGemm } from "./gemm_conv.ts";
 * setWasmGemm(false); // XNNPACK from here on
 * assertEquals(setWasmGemm(true), true);
 * ```
 */
export function setWasmGemm(on: boolean): boolean {
  enabled = on;
  return wasmGemmActive();
}

/**
 * Whether convolutions on wasm run through the engine's kernel now.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { wasmGemmActive } from "./gemm_conv.ts";
 * assertEquals(typeof wasmGemmActive(), "boolean");
 * ```
 */
export function wasmGemmActive(): boolean {
  return enabled && wasmGemm() !== null;
}

/** Geometry of one convolution: strides and dilations per axis, explicit NHWC paddings. */
export interface ConvGeometry {
  pads: Pads;
  strides: [number, number];
  dilations: [number, number];
}

const align16 = (bytes: number) => Math.ceil(bytes / 16) * 16;

/**
 * `x [N, H, W, Cin] (*) filter [kh, kw, Cin, Cout]` with explicit (possibly negative) paddings,
 * plus `bias [Cout]` when given, through the engine's kernel; `null` when it is off, missing, or
 * not suited (fewer than 8 input or output channels): the caller then runs XNNPACK.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import "@tensorflow/tfjs-backend-wasm";
 * import { gemmConv } from "./gemm_conv.ts";
 * import { Scratch } from "./scratch.ts";
 * await tf.setBackend("wasm");
 * const x = tf.ones([1, 3, 3, 8]);
 * const w = tf.ones([3, 3, 8, 8]);
 * const s = new Scratch(tf.backend());
 * const y = s.release(gemmConv(s, x, w, {
 *   pads: [[0, 0], [1, 1], [1, 1], [0, 0]], strides: [1, 1], dilations: [1, 1],
 * })!);
 * assertEquals(tf.engine().makeTensorFromTensorInfo(y).dataSync()[32], 72);
 * ```
 */
export function gemmConv(
  s: Scratch,
  x: tf.TensorInfo,
  filter: tf.TensorInfo,
  g: ConvGeometry,
  bias?: tf.TensorInfo,
): tf.TensorInfo | null {
  const k = enabled ? wasmGemm() : null;
  if (k === null) return null;
  const [batch, height, width, inC] = x.shape;
  const [kh, kw, , outC] = filter.shape;
  if (inC < GEMM_MIN_CHANNELS || outC < GEMM_MIN_CHANNELS) return null;
  const [top, left] = [g.pads[1][0], g.pads[2][0]];
  const [sh, sw] = g.strides;
  const [dh, dw] = g.dilations;
  const outH = Math.floor((height + top + g.pads[1][1] - ((kh - 1) * dh + 1)) / sh) + 1;
  const outW = Math.floor((width + left + g.pads[2][1] - ((kw - 1) * dw + 1)) / sw) + 1;
  const out = s.alloc([batch, Math.max(0, outH), Math.max(0, outW), outC]);
  const rows = batch * outH * outW;
  if (rows <= 0) return out;
  const taps = kh * kw;
  const rowsP = Math.ceil(rows / GEMM_ROW_BLOCK) * GEMM_ROW_BLOCK;
  const colsP = Math.ceil(outC / GEMM_COL_BLOCK) * GEMM_COL_BLOCK;
  // Layout: [a row of zeros][x][indirection][output rows][packed filter][product, a spare row]
  const zeroAt = 0;
  const xAt = align16(inC * 4);
  const indAt = xAt + align16(batch * height * width * inC * 4);
  const outAt = indAt + align16(taps * rowsP * 4);
  const bpAt = outAt + align16(rowsP * 4);
  const cAt = bpAt + align16(colsP * taps * inC * 4);
  k.reserve(cAt + (rows + 1) * colsP * 4);
  const f32 = new Float32Array(k.memory.buffer);
  const i32 = new Int32Array(k.memory.buffer);
  f32.fill(0, zeroAt / 4, zeroAt / 4 + inC);
  f32.set(s.view(x), xAt / 4);
  // Indirection (the byte address of the input pixel that the m-th row, in `order`, reads
  // through tap t, or of the row of zeros in the padding) and the output rows: they depend on
  // the shapes alone, so they are computed once per geometry and copied in after that.
  const key = [batch, height, width, inC, outC, kh, kw, ...g.strides, ...g.dilations]
    .concat(g.pads.flat()).join(",");
  const tables = tableCache.get(key) ?? rememberTables(
    key,
    addressTables(batch, [height, width, inC], [kh, kw], g, { rowsP, colsP, xAt, cAt, outH, outW }),
  );
  i32.set(tables.ind, indAt / 4);
  i32.set(tables.outRows, outAt / 4);
  // Filter [taps * inC, outC] -> panels [outC / 8][taps * inC][8], zero beyond outC.
  packPanels(
    s.view(filter),
    f32.subarray(bpAt / 4, bpAt / 4 + colsP * taps * inC),
    taps * inC,
    outC,
  );
  k.gemm(indAt, bpAt, outAt, rowsP, colsP, taps, inC);
  const product = f32.subarray(cAt / 4, cAt / 4 + rowsP * colsP);
  const y = s.view(out);
  const add = bias === undefined ? undefined : s.view(bias);
  if (colsP === outC && add === undefined) {
    y.set(product.subarray(0, rows * outC));
    return out;
  }
  for (let m = 0; m < rows; m++) {
    const [from, to] = [m * colsP, m * outC];
    if (add === undefined) {
      y.set(product.subarray(from, from + outC), to);
    } else {
      for (let c = 0; c < outC; c++) y[to + c] = product[from + c] + add[c];
    }
  }
  return out;
}

/** A convolution's indirection table (`taps * rowsP` addresses) and output rows (`rowsP`). */
interface AddressTables {
  ind: Int32Array;
  outRows: Int32Array;
}

/** Address tables by geometry (insertion order: the oldest first), at most `TABLE_BYTES`. */
const tableCache = new Map<string, AddressTables>();
const TABLE_BYTES = 64 * 2 ** 20;
let tableBytes = 0;

function rememberTables(key: string, tables: AddressTables): AddressTables {
  tableCache.set(key, tables);
  tableBytes += tables.ind.byteLength + tables.outRows.byteLength;
  for (const [oldKey, old] of tableCache) {
    if (tableBytes <= TABLE_BYTES || oldKey === key) break;
    tableCache.delete(oldKey);
    tableBytes -= old.ind.byteLength + old.outRows.byteLength;
  }
  return tables;
}

/**
 * The indirection table (the byte address of the input pixel that the m-th row, in
 * {@linkcode rowOrder}, reads through tap t, or 0, the row of zeros, in the padding) and the
 * address each row of the product goes to (its row-major place; the padding rows all to a spare
 * row after the product).
 */
function addressTables(
  batch: number,
  [height, width, inC]: number[],
  [kh, kw]: [number, number],
  g: ConvGeometry,
  at: { rowsP: number; colsP: number; xAt: number; cAt: number; outH: number; outW: number },
): AddressTables {
  const { rowsP, colsP, xAt, cAt, outH, outW } = at;
  const [top, left] = [g.pads[1][0], g.pads[2][0]];
  const [sh, sw] = g.strides;
  const [dh, dw] = g.dilations;
  const rows = batch * outH * outW;
  const order = rowOrder(batch, [outH, outW], [height, width], [kh, kw], g, [top, left]);
  const ind = new Int32Array(kh * kw * rowsP);
  const { n: rowN, p: rowP, q: rowQ } = order;
  for (let a = 0, t = 0; a < kh; a++) {
    for (let b = 0; b < kw; b++, t++) {
      const base = t * rowsP;
      for (let m = 0; m < rows; m++) {
        const r = sh * rowP[m] + dh * a - top;
        const c = sw * rowQ[m] + dw * b - left;
        ind[base + m] = r >= 0 && r < height && c >= 0 && c < width
          ? xAt + ((rowN[m] * height + r) * width + c) * inC * 4
          : 0;
      }
    }
  }
  const outRows = new Int32Array(rowsP);
  for (let m = 0; m < rows; m++) {
    outRows[m] = cAt + ((rowN[m] * outH + rowP[m]) * outW + rowQ[m]) * colsP * 4;
  }
  outRows.fill(cAt + rows * colsP * 4, rows, rowsP);
  return { ind, outRows };
}

/**
 * `w [kRows, outC]` (row-major) into the kernel's panels `[outC / 8][kRows][8]` in `bp`, zero
 * beyond `outC`. Whole panels are filled reading `w` in order (2x faster than reading it panel by
 * panel, which strides across its rows).
 */
function packPanels(w: Float32Array, bp: Float32Array, kRows: number, outC: number): void {
  const panel = kRows * GEMM_COL_BLOCK;
  const whole = outC - (outC % GEMM_COL_BLOCK);
  for (let r = 0; r < kRows; r++) {
    let i = r * outC;
    let o = r * GEMM_COL_BLOCK;
    for (let j = 0; j < whole; j += GEMM_COL_BLOCK, o += panel, i += 8) {
      // GEMM_COL_BLOCK (8) values, unrolled
      bp[o] = w[i];
      bp[o + 1] = w[i + 1];
      bp[o + 2] = w[i + 2];
      bp[o + 3] = w[i + 3];
      bp[o + 4] = w[i + 4];
      bp[o + 5] = w[i + 5];
      bp[o + 6] = w[i + 6];
      bp[o + 7] = w[i + 7];
    }
    if (whole < outC) {
      for (let c = 0; c < GEMM_COL_BLOCK; c++) bp[o + c] = whole + c < outC ? w[i++] : 0;
    }
  }
}

/** The output position `(n[m], p[m], q[m])` of each row `m` of the product. */
interface RowOrder {
  n: Int32Array;
  p: Int32Array;
  q: Int32Array;
}

/**
 * The range of filter taps `[first, last]` that output index `p` reads inside an axis of `size`
 * input values (the others fall in the padding), as one number.
 */
function tapsKey(
  p: number,
  size: number,
  k: number,
  stride: number,
  dilation: number,
  pad: number,
) {
  let first = 0;
  while (first < k && stride * p + dilation * first - pad < 0) first++;
  let last = k - 1;
  while (last >= first && stride * p + dilation * last - pad >= size) last--;
  return first * (k + 1) + (last + 1);
}

/**
 * Output positions grouped by the filter taps they read: positions near the border read some taps
 * in the padding, and with all rows of a register block grouped with others like them, the kernel
 * skips those taps for the whole block (31% of the work of a 5x5 "same" convolution on 7x7
 * images). Within a group the order is row-major; without padding the whole order is.
 */
function rowOrder(
  batch: number,
  [outH, outW]: [number, number],
  [height, width]: [number, number],
  [kh, kw]: [number, number],
  g: ConvGeometry,
  [top, left]: [number, number],
): RowOrder {
  const groups = (out: number, size: number, k: number, axis: 0 | 1, pad: number) => {
    const byKey = new Map<number, number[]>();
    for (let p = 0; p < out; p++) {
      const key = tapsKey(p, size, k, g.strides[axis], g.dilations[axis], pad);
      const list = byKey.get(key);
      if (list) list.push(p);
      else byKey.set(key, [p]);
    }
    return [...byKey.values()];
  };
  const pGroups = groups(outH, height, kh, 0, top);
  const qGroups = groups(outW, width, kw, 1, left);
  const rows = batch * outH * outW;
  const order = {
    n: new Int32Array(rows),
    p: new Int32Array(rows),
    q: new Int32Array(rows),
  };
  let m = 0;
  for (const ps of pGroups) {
    for (const qs of qGroups) {
      for (let n = 0; n < batch; n++) {
        for (const p of ps) {
          for (const q of qs) {
            order.n[m] = n;
            order.p[m] = p;
            order.q[m++] = q;
          }
        }
      }
    }
  }
  return order;
}
