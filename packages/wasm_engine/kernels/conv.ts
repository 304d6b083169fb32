/**
 * Convolution kernels for the wasm backend: the forward pass and both gradients.
 *
 * Stock `@tensorflow/tfjs-backend-wasm` 4.22 has no `Conv2DBackpropFilter` (so no conv net can train
 * on it) and a slow scalar loop for `Conv2DBackpropInput` (the input gradient of every convolution
 * and the forward pass of every transposed convolution). Both are rewritten here as forward
 * convolutions, which run on the engine's fused-multiply-add kernel (`gemm_conv.ts`) where it
 * applies and on XNNPACK otherwise, at tens of GFLOP/s on one core:
 *
 * - input gradient, stride s: a stride-phase decomposition. Output rows `s*q + rho` only meet the
 *   filter taps `a = a0 + s*m`, so each of the s*s phases is a stride-1 convolution of `dy` with a
 *   flipped sub-filter (no multiplications by inserted zeros); the phases are interleaved by one
 *   transpose. With fewer than 8 input channels (a transposed convolution to an image, or the input
 *   gradient of an image model's first layer) it is instead one matrix product of `dy` with the
 *   filter's transpose on the engine's kernel, scattered into the input ("col2im").
 * - filter gradient: a convolution of the input seen as `[inChannels, H, W, batch]` with `dy` seen as
 *   a `[outHeight, outWidth, batch, outChannels]` filter, dilated by the stride; the result
 *   `[inChannels, kh, kw, outChannels]` is transposed to `[kh, kw, inChannels, outChannels]`.
 *
 * Padding is explicit (both kernels pad implicitly, at no cost); negative paddings crop. `Conv2D`
 * and `FusedConv2D` (a layer's convolution plus bias) run on the engine's kernel too.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { installWasmKernels, type Pads, Scratch } from "./scratch.ts";
import { type ConvGeometry, GEMM_MIN_CHANNELS, gemmConv, wasmGemmActive } from "./gemm_conv.ts";

/** A stride-1 convolution: the engine's kernel where it runs, else XNNPACK. */
function conv(
  s: Scratch,
  x: tf.TensorInfo,
  filter: tf.TensorInfo,
  pads: Pads,
  dilations: [number, number],
): tf.TensorInfo {
  return gemmConv(s, x, filter, { pads, strides: [1, 1], dilations }) ??
    s.conv(x, filter, pads, dilations);
}

function convInfoOf(
  kernel: string,
  xShape: number[],
  filterShape: number[],
  attrs: tf.NamedAttrMap,
  dilations: unknown = 1,
): tf.backend_util.Conv2DInfo {
  const dataFormat = tf.backend_util.convertConv2DDataFormat(attrs.dataFormat as "NHWC" | "NCHW");
  if (dataFormat !== "channelsLast") {
    throw new Error(
      `Cannot run ${kernel} on wasm: dataFormat must be NHWC (channelsLast), got ${attrs.dataFormat}`,
    );
  }
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides as number | [number, number],
    dilations as number | [number, number],
    attrs.pad as "same" | "valid" | number,
    attrs.dimRoundingMode as "floor" | "round" | "ceil" | undefined,
    false,
    dataFormat,
  );
}

/**
 * `Conv2DBackpropFilter` on wasm: dW [kh, kw, inChannels, outChannels] from x [N, H, W, inChannels]
 * and dy [N, outH, outW, outChannels].
 */
function conv2dBackpropFilter(
  args: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown },
): tf.TensorInfo {
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const attrs = args.attrs ?? {};
  const filterShape = attrs.filterShape as number[];
  const info = convInfoOf("Conv2DBackpropFilter", x.shape, filterShape, attrs);
  const s = new Scratch(args.backend);
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw } = info;
  const [, height, width] = x.shape;
  // Rows of the padded input that the convolution reads: sh * (outH - 1) + kh. The output size
  // comes from dy itself: tfjs's Conv2D gradient drops dimRoundingMode from the attributes.
  const needH = sh * (dy.shape[1] - 1) + kh;
  const needW = sw * (dy.shape[2] - 1) + kw;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  if (x.shape[0] < SMALL_BATCH) {
    return s.release(filterGradientByPatches(s, x, dy, { sh, sw, kh, kw, top, left }));
  }
  // x [N, H, W, Cin] -> [Cin, H, W, N]; dy [N, oH, oW, Cout] -> [oH, oW, N, Cout].
  const xT = s.run("Transpose", { x }, { perm: [3, 1, 2, 0] });
  const dyT = s.run("Transpose", { x: dy }, { perm: [1, 2, 0, 3] });
  // [Cin, needH, needW, N] (*) dilated [oH, oW, N, Cout] -> [Cin, kh, kw, Cout]
  const pads: Pads = [[0, 0], [top, needH - top - height], [left, needW - left - width], [0, 0]];
  const dw = conv(s, xT, dyT, pads, [sh, sw]);
  // [Cin, kh, kw, Cout] -> [kh, kw, Cin, Cout]
  return s.release(s.run("Transpose", { x: dw }, { perm: [1, 2, 0, 3] }));
}

/**
 * Below this batch size the filter gradient is one matrix product of explicit patches: the
 * convolution formulation reduces over the batch inside each tap, which XNNPACK runs slowly when
 * the batch is tiny (CycleGAN trains with batch 1).
 */
const SMALL_BATCH = 8;

/**
 * dW [kh, kw, Cin, Cout] = patches [kh * kw * Cin, N * oH * oW] x dy [N * oH * oW, Cout], the
 * patches gathered from x [N, H, W, Cin] on the wasm heap (zeros where they fall in the padding).
 */
function filterGradientByPatches(
  s: Scratch,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  g: { sh: number; sw: number; kh: number; kw: number; top: number; left: number },
): tf.TensorInfo {
  const [batch, height, width, inC] = x.shape;
  const [, outH, outW, outC] = dy.shape;
  const positions = batch * outH * outW;
  const patches = s.alloc([g.kh * g.kw * inC, positions]);
  const out = s.view(patches);
  const src = s.view(x);
  let o = 0;
  for (let a = 0; a < g.kh; a++) {
    for (let b = 0; b < g.kw; b++) {
      for (let c = 0; c < inC; c++) {
        for (let n = 0; n < batch; n++) {
          for (let i = 0; i < outH; i++) {
            const r = g.sh * i + a - g.top;
            if (r < 0 || r >= height) {
              out.fill(0, o, o + outW);
              o += outW;
              continue;
            }
            const rowBase = (n * height + r) * width;
            for (let j = 0; j < outW; j++) {
              const col = g.sw * j + b - g.left;
              out[o++] = col >= 0 && col < width ? src[(rowBase + col) * inC + c] : 0;
            }
          }
        }
      }
    }
  }
  const dyRows = s.run("Reshape", { x: dy }, { shape: [positions, outC] });
  const dw = s.run("BatchMatMul", { a: patches, b: dyRows }, {
    transposeA: false,
    transposeB: false,
  });
  return s.run("Reshape", { x: dw }, { shape: [g.kh, g.kw, inC, outC] });
}

/**
 * `Conv2DBackpropInput` on wasm: dx [N, H, W, inChannels] (attrs.inputShape) from
 * dy [N, outH, outW, outChannels] and filter [kh, kw, inChannels, outChannels].
 */
function conv2dBackpropInput(
  args: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown },
): tf.TensorInfo {
  const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const attrs = args.attrs ?? {};
  const inputShape = attrs.inputShape as number[];
  const info = convInfoOf("Conv2DBackpropInput", inputShape, filter.shape, attrs);
  const s = new Scratch(args.backend);
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw } = info;
  const [batch, height, width, inC] = inputShape;
  const outC = filter.shape[3];
  const [, outH, outW] = dy.shape;
  if (inC < GEMM_MIN_CHANNELS) {
    const byColumns = inputGradientByColumns(s, dy, filter, inputShape, info);
    if (byColumns !== null) return s.release(byColumns);
  }
  // [kh, kw, inC, outC] -> [kh * kw, outC, inC]: each tap's block is then one contiguous copy.
  const taps = s.run("Transpose", {
    x: s.run("Reshape", { x: filter }, { shape: [kh * kw, inC, outC] }),
  }, { perm: [0, 2, 1] });
  const block = outC * inC;
  const phases: Array<{ rh: number; rw: number; out: tf.TensorInfo }> = [];
  for (let rh = 0; rh < sh; rh++) {
    for (let rw = 0; rw < sw; rw++) {
      const rows = Math.ceil((height - rh) / sh);
      const cols = Math.ceil((width - rw) / sw);
      const ph = phasePlan(rh, info.padInfo.top, sh, kh, rows, outH);
      const pw = phasePlan(rw, info.padInfo.left, sw, kw, cols, outW);
      if (rows <= 0 || cols <= 0 || ph.taps === 0 || pw.taps === 0) continue; // stays zero
      // Sub-filter [tapsH, tapsW, outC, inC]: taps first + s*m, flipped, channels swapped.
      const sub = s.alloc([ph.taps, pw.taps, outC, inC]);
      const from = s.view(taps);
      const to = s.view(sub);
      for (let m = 0; m < ph.taps; m++) {
        const a = ph.first + sh * (ph.taps - 1 - m);
        for (let n = 0; n < pw.taps; n++) {
          const b = pw.first + sw * (pw.taps - 1 - n);
          const tap = (a * kw + b) * block;
          to.set(from.subarray(tap, tap + block), (m * pw.taps + n) * block);
        }
      }
      // [N, outH, outW, outC] (*) [tapsH, tapsW, outC, inC] -> [N, rows, cols, inC]
      phases.push({ rh, rw, out: conv(s, dy, sub, [[0, 0], ph.pads, pw.pads, [0, 0]], [1, 1]) });
    }
  }
  if (phases.length === 1 && sh * sw === 1) return s.release(phases[0].out);
  // Interleave: dx[n, sh * q + rh, sw * p + rw, :] = phase(rh, rw)[n, q, p, :].
  const dx = s.alloc([batch, height, width, inC]);
  const out = s.view(dx);
  if (phases.length < sh * sw) out.fill(0);
  for (const { rh, rw, out: phase } of phases) {
    const src = s.view(phase);
    const [, rows, cols] = phase.shape;
    let i = 0;
    for (let n = 0; n < batch; n++) {
      for (let q = 0; q < rows; q++) {
        let o = ((n * height + sh * q + rh) * width + rw) * inC;
        for (let p = 0; p < cols; p++, o += (sw - 1) * inC) {
          for (let c = 0; c < inC; c++) out[o++] = src[i++];
        }
      }
    }
  }
  return s.release(dx);
}

/**
 * The input gradient as one matrix product and a scatter ("col2im"), for few input channels (a
 * transposed convolution to 1 or 3 image channels, or the input gradient of an image model's first
 * layer): `cols [N * outH * outW, kh * kw * inC] = dy [N * outH * outW, outC] x filter^T`, then
 * every `cols` entry is added to the input pixel its tap reads. The stride phases would each be a
 * convolution with fewer than 8 output channels, which the engine's kernel leaves to XNNPACK; here
 * the product has `kh * kw * inC` columns instead. `null` when the engine's kernel does not take
 * the product (turned off, or fewer than 8 columns): the caller then uses the stride phases.
 */
function inputGradientByColumns(
  s: Scratch,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  inputShape: number[],
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo | null {
  const [kh, kw, inC, outC] = filter.shape;
  const [batch, height, width] = inputShape;
  const [, outH, outW] = dy.shape;
  const k = kh * kw * inC;
  // filter [kh, kw, inC, outC] -> [1, 1, outC, kh * kw * inC]: a 1x1 convolution over dy.
  const flat = s.run("Reshape", { x: filter }, { shape: [k, outC] });
  const filterT = s.run("Reshape", {
    x: s.run("Transpose", { x: flat }, { perm: [1, 0] }),
  }, { shape: [1, 1, outC, k] });
  const cols = gemmConv(s, dy, filterT, {
    pads: [[0, 0], [0, 0], [0, 0], [0, 0]],
    strides: [1, 1],
    dilations: [1, 1],
  });
  if (cols === null) return null;
  const dx = s.alloc(inputShape);
  const out = s.view(dx);
  out.fill(0);
  const src = s.view(cols);
  const { strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  for (let n = 0, row = 0; n < batch; n++) {
    for (let i = 0; i < outH; i++) {
      for (let j = 0; j < outW; j++, row += k) {
        for (let a = 0; a < kh; a++) {
          const y = sh * i + a - top;
          if (y < 0 || y >= height) continue;
          for (let b = 0; b < kw; b++) {
            const x = sw * j + b - left;
            if (x < 0 || x >= width) continue;
            const to = ((n * height + y) * width + x) * inC;
            const from = row + (a * kw + b) * inC;
            for (let c = 0; c < inC; c++) out[to + c] += src[from + c];
          }
        }
      }
    }
  }
  return dx;
}

/**
 * One spatial axis of one stride phase of the input gradient: output positions `s*q + rho`,
 * q in [0, count), receive `dy[q + delta - m] * w[first + s*m]` for m in [0, taps).
 * As a stride-1 correlation with the flipped taps, `dy` is padded by `taps - 1 - delta` before and
 * by whatever makes `count` outputs after (negative values crop).
 */
function phasePlan(
  rho: number,
  padBefore: number,
  stride: number,
  kernelSize: number,
  count: number,
  dyLength: number,
): { first: number; taps: number; pads: [number, number] } {
  const first = (((rho + padBefore) % stride) + stride) % stride;
  const taps = first >= kernelSize ? 0 : Math.ceil((kernelSize - first) / stride);
  const delta = (rho + padBefore - first) / stride;
  const before = taps - 1 - delta;
  const after = count + taps - 1 - before - dyLength;
  return { first, taps, pads: [before, after] };
}

let stockConv2d: tf.KernelConfig | undefined;
let stockFusedConv2d: tf.KernelConfig | undefined;

/** Explicit paddings, strides and dilations of a convolution tfjs described. */
function geometryOf(info: tf.backend_util.Conv2DInfo, xShape: number[]): ConvGeometry {
  const { top, left } = info.padInfo;
  const bottom = (info.outHeight - 1) * info.strideHeight + info.effectiveFilterHeight -
    xShape[1] - top;
  const right = (info.outWidth - 1) * info.strideWidth + info.effectiveFilterWidth - xShape[2] -
    left;
  return {
    pads: [[0, 0], [top, bottom], [left, right], [0, 0]],
    strides: [info.strideHeight, info.strideWidth],
    dilations: [info.dilationHeight, info.dilationWidth],
  };
}

/**
 * `Conv2D` on wasm: the engine's kernel where it runs (NHWC). Otherwise XNNPACK, with
 * `dimRoundingMode` honoured: the stock kernel allocates the output that `round`/`ceil` ask for
 * but lets XNNPACK compute the floored size, leaving the last row or column unwritten; the missing
 * bottom/right zero padding is passed explicitly, as the cpu backend reads it.
 */
function conv2dForward(
  args: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown },
): tf.TensorInfo | tf.TensorInfo[] {
  const attrs = args.attrs ?? {};
  if (stockConv2d === undefined) throw new Error("Cannot run Conv2D on wasm: stock kernel missing");
  const { x, filter } = args.inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
  const nhwc = attrs.dataFormat === undefined || attrs.dataFormat === "NHWC";
  if (nhwc && wasmGemmActive()) {
    const info = convInfoOf("Conv2D", x.shape, filter.shape, attrs, attrs.dilations);
    const s = new Scratch(args.backend);
    const out = gemmConv(s, x, filter, geometryOf(info, x.shape));
    if (out !== null) return s.release(out);
  }
  if (attrs.dimRoundingMode == null || typeof attrs.pad !== "number") {
    return stockConv2d.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]);
  }
  const info = convInfoOf("Conv2D", x.shape, filter.shape, attrs, attrs.dilations);
  const [, [top, bottom], [left, right]] = geometryOf(info, x.shape).pads;
  return stockConv2d.kernelFunc(
    {
      ...args,
      attrs: {
        ...attrs,
        pad: [[0, 0], [top, Math.max(0, bottom)], [left, Math.max(0, right)], [0, 0]],
        dimRoundingMode: undefined as unknown as string,
      },
    } as unknown as Parameters<tf.KernelFunc>[0],
  );
}

/**
 * `FusedConv2D` on wasm: a convolution plus bias without activation (how tfjs-layers runs a
 * `conv2d` layer) through the engine's kernel; everything else through the stock kernel.
 */
function fusedConv2d(
  args: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown },
): tf.TensorInfo | tf.TensorInfo[] {
  if (stockFusedConv2d === undefined) {
    throw new Error("Cannot run FusedConv2D on wasm: stock kernel missing");
  }
  const attrs = args.attrs ?? {};
  const { x, filter, bias, preluActivationWeights } = args.inputs as Record<
    string,
    tf.TensorInfo | undefined
  >;
  const nhwc = attrs.dataFormat === undefined || attrs.dataFormat === "NHWC";
  const linear = attrs.activation == null || attrs.activation === "linear";
  const outC = filter!.shape[3];
  const plainBias = bias === undefined ||
    (bias.shape.reduce((a, b) => a * b, 1) === outC && bias.shape.at(-1) === outC);
  if (nhwc && linear && plainBias && preluActivationWeights === undefined && wasmGemmActive()) {
    const info = convInfoOf("FusedConv2D", x!.shape, filter!.shape, attrs, attrs.dilations);
    const s = new Scratch(args.backend);
    const out = gemmConv(s, x!, filter!, geometryOf(info, x!.shape), bias);
    if (out !== null) return s.release(out);
  }
  return stockFusedConv2d.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]);
}

const conv2dForwardConfig: tf.KernelConfig = {
  kernelName: "Conv2D",
  backendName: "wasm",
  kernelFunc: conv2dForward as unknown as tf.KernelFunc,
};

const fusedConv2dConfig: tf.KernelConfig = {
  kernelName: "FusedConv2D",
  backendName: "wasm",
  kernelFunc: fusedConv2d as unknown as tf.KernelFunc,
};

/** `Conv2DBackpropFilter` for the wasm backend (XNNPACK forward convolution underneath). */
export const wasmConv2dBackpropFilterConfig: tf.KernelConfig = {
  kernelName: "Conv2DBackpropFilter",
  backendName: "wasm",
  kernelFunc: conv2dBackpropFilter as unknown as tf.KernelFunc,
};

/** A fast `Conv2DBackpropInput` for the wasm backend (stride-phase XNNPACK convolutions). */
export const wasmConv2dBackpropInputConfig: tf.KernelConfig = {
  kernelName: "Conv2DBackpropInput",
  backendName: "wasm",
  kernelFunc: conv2dBackpropInput as unknown as tf.KernelFunc,
};

/** The kernels {@linkcode registerWasmConvKernels} installs. */
export const WASM_CONV_KERNELS: readonly tf.KernelConfig[] = [
  conv2dForwardConfig,
  fusedConv2dConfig,
  wasmConv2dBackpropFilterConfig,
  wasmConv2dBackpropInputConfig,
];

/**
 * Install the engine's convolution gradient kernels on the wasm backend, replacing the stock ones.
 * Safe to call repeatedly and before the wasm backend is initialised (kernels are looked up at run
 * time). Returns the names of the kernels it (re)registered.
 *
 * @example Train a convolution on wasm
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import "@tensorflow/tfjs-backend-wasm";
 * import { registerWasmConvKernels } from "./conv.ts";
 * await tf.setBackend("wasm");
 * registerWasmConvKernels();
 * const x = tf.randomNormal<tf.Rank.R4>([2, 8, 8, 3]);
 * const w = tf.variable(tf.randomNormal<tf.Rank.R4>([3, 3, 3, 4]));
 * const grads = tf.variableGrads(() => tf.conv2d(x, w, 2, "same").square().sum());
 * assertEquals(grads.grads[w.name].shape, [3, 3, 3, 4]);
 * ```
 */
export function registerWasmConvKernels(): string[] {
  return installWasmKernels([
    { config: conv2dForwardConfig, wraps: (stock) => stockConv2d = stock },
    { config: fusedConv2dConfig, wraps: (stock) => stockFusedConv2d = stock },
    { config: wasmConv2dBackpropFilterConfig },
    { config: wasmConv2dBackpropInputConfig },
  ]);
}
