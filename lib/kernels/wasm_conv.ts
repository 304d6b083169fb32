/**
 * Convolution gradient kernels for the wasm backend, built on its XNNPACK forward convolution.
 *
 * Stock `@tensorflow/tfjs-backend-wasm` 4.22 has no `Conv2DBackpropFilter` (so no conv net can train
 * on it) and a slow scalar loop for `Conv2DBackpropInput` (the input gradient of every convolution
 * and the forward pass of every transposed convolution). Both are rewritten here as forward
 * convolutions, which XNNPACK runs at tens of GFLOP/s on one core:
 *
 * - input gradient, stride s: a stride-phase decomposition. Output rows `s*q + rho` only meet the
 *   filter taps `a = a0 + s*m`, so each of the s*s phases is a stride-1 convolution of `dy` with a
 *   flipped sub-filter (no multiplications by inserted zeros); the phases are interleaved by one
 *   transpose.
 * - filter gradient: a convolution of the input seen as `[inChannels, H, W, batch]` with `dy` seen as
 *   a `[outHeight, outWidth, batch, outChannels]` filter, dilated by the stride; the result
 *   `[inChannels, kh, kw, outChannels]` is transposed to `[kh, kw, inChannels, outChannels]`.
 *
 * Padding is passed to XNNPACK explicitly (it pads implicitly, at no cost); negative paddings crop.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { installWasmKernels, Scratch } from "./wasm_scratch.ts";

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
  // x [N, H, W, Cin] -> [Cin, H, W, N]; dy [N, oH, oW, Cout] -> [oH, oW, N, Cout].
  const xT = s.run("Transpose", { x }, { perm: [3, 1, 2, 0] });
  const dyT = s.run("Transpose", { x: dy }, { perm: [1, 2, 0, 3] });
  // [Cin, needH, needW, N] (*) dilated [oH, oW, N, Cout] -> [Cin, kh, kw, Cout]
  const dw = s.conv(xT, dyT, [[0, 0], [top, needH - top - height], [left, needW - left - width], [
    0,
    0,
  ]], [sh, sw]);
  // [Cin, kh, kw, Cout] -> [kh, kw, Cin, Cout]
  return s.release(s.run("Transpose", { x: dw }, { perm: [1, 2, 0, 3] }));
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
  const rowsPerPhase = Math.ceil(height / sh);
  const colsPerPhase = Math.ceil(width / sw);
  const w = s.view(filter).slice(); // copy: the heap may move while phases allocate
  const phases: tf.TensorInfo[] = [];
  for (let rh = 0; rh < sh; rh++) {
    for (let rw = 0; rw < sw; rw++) {
      const ph = phasePlan(rh, info.padInfo.top, sh, kh, rowsPerPhase, outH);
      const pw = phasePlan(rw, info.padInfo.left, sw, kw, colsPerPhase, outW);
      if (ph.taps === 0 || pw.taps === 0) {
        phases.push(s.run("Fill", {}, {
          shape: [batch, rowsPerPhase, colsPerPhase, inC],
          value: 0,
          dtype: "float32",
        }));
        continue;
      }
      // Sub-filter [tapsH, tapsW, outC, inC]: taps a0 + s*m, flipped, channels swapped.
      const sub = new Float32Array(ph.taps * pw.taps * outC * inC);
      let o = 0;
      for (let m = 0; m < ph.taps; m++) {
        const a = ph.first + sh * (ph.taps - 1 - m);
        for (let n = 0; n < pw.taps; n++) {
          const b = pw.first + sw * (pw.taps - 1 - n);
          const base = (a * kw + b) * inC * outC;
          for (let co = 0; co < outC; co++) {
            for (let ci = 0; ci < inC; ci++) sub[o++] = w[base + ci * outC + co];
          }
        }
      }
      const subFilter = s.tensor([ph.taps, pw.taps, outC, inC], sub);
      // [N, outH, outW, outC] (*) [tapsH, tapsW, outC, inC] -> [N, rowsPerPhase, colsPerPhase, inC]
      phases.push(s.conv(dy, subFilter, [[0, 0], ph.pads, pw.pads, [0, 0]], [1, 1]));
    }
  }
  let dx: tf.TensorInfo;
  if (phases.length === 1) {
    dx = phases[0];
  } else {
    // s*s x [N, q, p, inC] -> [sh, sw, N, q, p, inC] -> [N, q, sh, p, sw, inC] -> [N, q*sh, p*sw, inC]
    const stacked = s.run("Concat", phases as unknown as tf.NamedTensorInfoMap, { axis: 0 });
    const split = s.run("Reshape", { x: stacked }, {
      shape: [sh, sw, batch, rowsPerPhase, colsPerPhase, inC],
    });
    const interleaved = s.run("Transpose", { x: split }, { perm: [2, 3, 0, 4, 1, 5] });
    dx = s.run("Reshape", { x: interleaved }, {
      shape: [batch, rowsPerPhase * sh, colsPerPhase * sw, inC],
    });
  }
  if (dx.shape[1] !== height || dx.shape[2] !== width) {
    dx = s.run("Slice", { x: dx }, { begin: [0, 0, 0, 0], size: [batch, height, width, inC] });
  }
  return s.release(dx);
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

/**
 * `Conv2D` on wasm with `dimRoundingMode` honoured. The stock kernel allocates the output that
 * `round`/`ceil` ask for but lets XNNPACK compute the floored size, leaving the last row or column
 * unwritten; here the missing bottom/right zero padding is passed explicitly, as the cpu backend
 * reads it.
 */
function conv2dRounded(
  args: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown },
): tf.TensorInfo | tf.TensorInfo[] {
  const attrs = args.attrs ?? {};
  if (stockConv2d === undefined) throw new Error("Cannot run Conv2D on wasm: stock kernel missing");
  if (attrs.dimRoundingMode == null || typeof attrs.pad !== "number") {
    return stockConv2d.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]);
  }
  const { x, filter } = args.inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
  const info = convInfoOf("Conv2D", x.shape, filter.shape, attrs, attrs.dilations);
  const { top, left } = info.padInfo;
  const bottom = (info.outHeight - 1) * info.strideHeight + info.effectiveFilterHeight -
    x.shape[1] - top;
  const right = (info.outWidth - 1) * info.strideWidth + info.effectiveFilterWidth - x.shape[2] -
    left;
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

const conv2dRoundedConfig: tf.KernelConfig = {
  kernelName: "Conv2D",
  backendName: "wasm",
  kernelFunc: conv2dRounded as unknown as tf.KernelFunc,
  // The stock kernel binds its wasm function in its setup; run it when the backend starts later.
  setupFunc: (backend: unknown) => stockConv2d?.setupFunc?.(backend as tf.KernelBackend),
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
  conv2dRoundedConfig,
  wasmConv2dBackpropFilterConfig,
  wasmConv2dBackpropInputConfig,
];

/**
 * Install the course's convolution gradient kernels on the wasm backend, replacing the stock ones.
 * Safe to call repeatedly and before the wasm backend is initialised (kernels are looked up at run
 * time). Returns the names of the kernels it (re)registered.
 *
 * @example Train a convolution on wasm
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import "@tensorflow/tfjs-backend-wasm";
 * import { registerWasmConvKernels } from "@course/kernels/wasm_conv.ts";
 * await tf.setBackend("wasm");
 * registerWasmConvKernels();
 * const x = tf.randomNormal<tf.Rank.R4>([2, 8, 8, 3]);
 * const w = tf.variable(tf.randomNormal<tf.Rank.R4>([3, 3, 3, 4]));
 * const grads = tf.variableGrads(() => tf.conv2d(x, w, 2, "same").square().sum());
 * console.log(grads.grads[w.name].shape); // [3, 3, 3, 4]
 * ```
 */
export function registerWasmConvKernels(): string[] {
  return installWasmKernels([
    { config: conv2dRoundedConfig, wraps: (stock) => stockConv2d = stock },
    { config: wasmConv2dBackpropFilterConfig },
    { config: wasmConv2dBackpropInputConfig },
  ]);
}
