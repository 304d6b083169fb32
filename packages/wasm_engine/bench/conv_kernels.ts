/**
 * `deno task bench:convs` (from the project root): the tutorial DCGAN's convolutions on the engine's fused-multiply-add
 * kernel and on XNNPACK, alternating in one process (`setWasmGemm`), so that machine noise hits
 * both. Prints the best of `--rounds N` (default 4) for each, GFLOP/s and the ratio.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { registerTrainingKernels, setWasmGemm } from "../kernels/mod.ts";

/** The generator's and discriminator's large convolutions: input, filter, stride. */
const SHAPES: Array<[[number, number, number, number], [number, number, number, number], number]> =
  [
    [[64, 7, 7, 256], [5, 5, 256, 128], 1],
    [[64, 7, 7, 128], [5, 5, 128, 64], 1],
    [[64, 14, 14, 64], [5, 5, 64, 128], 2],
  ];

/**
 * Time every shape both ways; returns one row per shape.
 *
 * @example
 * ```ts ignore
 * import { timeConvolutions } from "./conv_kernels.ts";
 * console.table(await timeConvolutions(1));
 * ```
 */
export async function timeConvolutions(rounds: number) {
  await tf.setBackend("wasm");
  registerTrainingKernels();
  const rows = [];
  for (const [xShape, wShape, stride] of SHAPES) {
    const x = tf.randomNormal(xShape, 0, 1, "float32", 1) as tf.Tensor4D;
    const w = tf.randomNormal(wShape, 0, 1, "float32", 2) as tf.Tensor4D;
    const once = () => tf.tidy(() => void tf.conv2d(x, w, stride, "same").dataSync());
    const best = { ours: Infinity, xnnpack: Infinity };
    for (let r = 0; r < rounds; r++) {
      for (const on of [true, false]) {
        setWasmGemm(on);
        once(); // warm-up: XNNPACK builds its operator, the kernel grows its memory
        const t = performance.now();
        once();
        const ms = performance.now() - t;
        if (on) best.ours = Math.min(best.ours, ms);
        else best.xnnpack = Math.min(best.xnnpack, ms);
      }
    }
    setWasmGemm(true);
    const outPositions = xShape[0] * Math.ceil(xShape[1] / stride) * Math.ceil(xShape[2] / stride);
    const flop = 2 * outPositions * wShape[0] * wShape[1] * wShape[2] * wShape[3];
    rows.push({
      convolution: `${JSON.stringify(xShape)} x ${JSON.stringify(wShape)}, stride ${stride}`,
      "ours ms": Math.round(best.ours),
      "ours GFLOP/s": Math.round(flop / best.ours / 1e5) / 10,
      "XNNPACK ms": Math.round(best.xnnpack),
      "XNNPACK GFLOP/s": Math.round(flop / best.xnnpack / 1e5) / 10,
      "XNNPACK / ours": Math.round(100 * best.xnnpack / best.ours) / 100,
    });
    tf.dispose([x, w]);
  }
  return rows;
}

if (import.meta.main) {
  const at = Deno.args.indexOf("--rounds");
  const rounds = at >= 0 ? Number(Deno.args[at + 1]) : 4;
  if (!(Number.isInteger(rounds) && rounds > 0)) {
    console.error(`bench:convs: --rounds must be a positive integer, got ${Deno.args[at + 1]}`);
    Deno.exit(2);
  }
  console.table(await timeConvolutions(rounds));
}
