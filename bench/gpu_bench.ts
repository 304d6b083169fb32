/**
 * `deno task bench --backend webgpu` (also `gpu`, `wasm`, `cpu`): the course's `train()` loop on
 * one backend, timed per step on two models, with the peers side by side in the same run:
 *
 * - `dcgan-tutorial`: the TensorFlow tutorial's DCGAN on 28x28x1 MNIST-sized images, batch 64;
 * - `dcgan-lecture-64`: the lecture's 64x64x3 DCGAN (D 128/256/512/1024, G 1024 -> 512/256/128 ->
 *   3, 5x5 stride 2), batch 128.
 *
 * Peers: PyTorch on CUDA (`bench/torch_dcgan.py --device cuda`) when `nvidia-smi` sees a GPU and
 * Debian's `python3-torch` (or any `/usr/bin/python3` with torch) has CUDA; and the course's own
 * wasm backend on this machine's CPU (tutorial model only, a few steps; `--wasm-steps 0` skips it).
 * A step is the time between two `onStepEnd` calls of `train()`, with the step's losses read back,
 * as a notebook trains; the first `--warmup` steps (shader compilation, Adam's slots) are not
 * timed. Prints ms/step, images/s, GFLOP/s and the ratios, and writes JSON to bench/results/.
 *
 * FLOPs of a step: the D update runs G forward once and D forward and backward on the real and the
 * fake batch; the G update runs G and D forward and backward. With backward at twice the forward's
 * cost, a step is 4 G + 9 D forward FLOPs, counted layer by layer (dense, conv, transposed conv).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type BackendChoice, detectCuda, initBackend } from "../lib/backend.ts";
import { train } from "../lib/train/loop.ts";
import { createDcgan } from "../lib/variants/dcgan.ts";
import { median, runTorchDcgan } from "./torch_runner.ts";

/** One model the benchmark times. */
interface Model {
  name: string;
  imageShape: [number, number, number];
  batchSize: number;
  torchImage: 28 | 64;
}

const MODELS: Model[] = [
  { name: "dcgan-tutorial", imageShape: [28, 28, 1], batchSize: 64, torchImage: 28 },
  { name: "dcgan-lecture-64", imageShape: [64, 64, 3], batchSize: 128, torchImage: 64 },
];

interface GpuFlags {
  backend: Exclude<BackendChoice, "auto">;
  steps: number;
  warmup: number;
  wasmSteps: number;
  torch: boolean;
  width: number;
  models: string[];
  out: string;
}

/** One measured row. */
export interface GpuRow {
  model: string;
  backend: string;
  batchSize: number;
  msPerStep: number;
  imagesPerSecond: number;
  gflopPerSecond: number;
  gflopPerStep: number;
  samplesMs: number[];
}

function parseGpuFlags(args: string[]): GpuFlags {
  const get = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const int = (name: string, fallback: number) => {
    const raw = get(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) {
      throw new Error(`Cannot run bench: ${name} needs a non-negative integer, got ${raw}`);
    }
    return n;
  };
  const backend = get("--backend") ?? "webgpu";
  if (!["gpu", "webgpu", "node", "wasm", "cpu"].includes(backend)) {
    throw new Error(
      `Cannot run bench: --backend must be gpu, webgpu, node, wasm or cpu, got ${backend}`,
    );
  }
  const width = Number(get("--width") ?? 1);
  if (!(width > 0 && width <= 1)) {
    throw new Error(`Cannot run bench: --width must be in (0, 1], got ${get("--width")}`);
  }
  const models = (get("--models") ?? MODELS.map((m) => m.name).join(",")).split(",");
  for (const m of models) {
    if (!MODELS.some((x) => x.name === m)) {
      throw new Error(
        `Cannot run bench: unknown model ${m}; models: ${MODELS.map((x) => x.name).join(", ")}`,
      );
    }
  }
  return {
    backend: backend as GpuFlags["backend"],
    steps: int("--steps", 20),
    warmup: int("--warmup", 3),
    wasmSteps: int("--wasm-steps", 3),
    torch: !args.includes("--no-torch"),
    width,
    models,
    out: get("--out") ?? new URL("./results", import.meta.url).pathname,
  };
}

/** Forward FLOPs of a model for one batch: dense, conv and transposed conv layers. */
export function forwardFlops(model: tf.LayersModel, batchSize: number): number {
  let flops = 0;
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    const input = layer.input as tf.SymbolicTensor;
    const output = layer.output as tf.SymbolicTensor;
    if (cls === "Dense") {
      const inUnits = input.shape.at(-1)!;
      flops += 2 * batchSize * inUnits * output.shape.at(-1)!;
    } else if (cls === "Conv2D" || cls === "Conv2DTranspose") {
      const [kh, kw] = layer.getConfig().kernelSize as number[];
      const cin = input.shape.at(-1)!;
      const cout = output.shape.at(-1)!;
      // A conv computes each output pixel; a transposed conv scatters each input pixel.
      const pixels = cls === "Conv2D"
        ? output.shape[1]! * output.shape[2]!
        : input.shape[1]! * input.shape[2]!;
      flops += 2 * batchSize * pixels * kh * kw * cin * cout;
    }
  }
  return flops;
}

/** Time `steps` steps of train() on the current backend, after `warmup` untimed ones. */
async function timeTrain(
  model: Model,
  width: number,
  steps: number,
  warmup: number,
): Promise<{ ms: number[]; flops: number }> {
  const variant = createDcgan({ imageShape: model.imageShape, width, seed: 1 });
  const flops = 4 * forwardFlops(variant.models.generator, model.batchSize) +
    9 * forwardFlops(variant.models.discriminator, model.batchSize);
  const total = warmup + steps + 1;
  const realImages = tf.randomUniform(
    [model.batchSize * total, ...model.imageShape],
    -1,
    1,
    "float32",
    1,
  );
  const ends: number[] = [];
  try {
    await train(variant, { realImages }, {
      batchSize: model.batchSize,
      guards: false,
      readLag: 0, // every step's losses are read before the next: times are per step
      callbacks: [{ onStepEnd: () => void ends.push(performance.now()) }],
    });
  } finally {
    variant.dispose();
    realImages.dispose();
  }
  const intervals = ends.slice(1).map((t, i) => t - ends[i]);
  return { ms: intervals.slice(warmup), flops };
}

/** PyTorch's step on CUDA (bench/torch_dcgan.py) for `model`. */
function torchCuda(model: Model, width: number, steps: number) {
  return runTorchDcgan([
    "--device",
    "cuda",
    "--steps",
    String(steps),
    "--warmup",
    "3",
    "--width",
    String(width),
    "--batch",
    String(model.batchSize),
    "--image",
    String(model.torchImage),
  ]);
}

function makeRow(
  model: Model,
  backend: string,
  ms: number[],
  flops: number,
): GpuRow {
  const m = median(ms);
  return {
    model: model.name,
    backend,
    batchSize: model.batchSize,
    msPerStep: m,
    imagesPerSecond: model.batchSize / (m / 1000),
    gflopPerSecond: flops / 1e9 / (m / 1000),
    gflopPerStep: flops / 1e9,
    samplesMs: ms,
  };
}

/** The `--backend` benchmark; see the module documentation. */
export async function gpuBench(args: string[]): Promise<void> {
  const flags = parseGpuFlags(args);
  const info = await initBackend({ backend: flags.backend, verbose: true });
  const cuda = await detectCuda();
  const rows: GpuRow[] = [];
  const ratios: Record<string, number> = {};
  const notes: string[] = [];
  let torchVersion: string | undefined;
  let torchDevice: string | undefined;
  for (const model of MODELS.filter((m) => flags.models.includes(m.name))) {
    console.log(`${model.name} (batch ${model.batchSize}) on ${info.choice}...`);
    const ours = await timeTrain(model, flags.width, flags.steps, flags.warmup);
    const oursRow = makeRow(model, `${info.choice} train()`, ours.ms, ours.flops);
    rows.push(oursRow);
    if (flags.torch && cuda.gpuVisible) {
      const torch = await torchCuda(model, flags.width, flags.steps);
      if (torch.ms) {
        torchVersion = torch.version;
        torchDevice = torch.device;
        const torchRow = makeRow(model, "pytorch-cuda", torch.ms, ours.flops);
        rows.push(torchRow);
        ratios[`${model.name}: ${info.choice} / PyTorch CUDA`] = oursRow.msPerStep /
          torchRow.msPerStep;
      } else notes.push(`${model.name}: ${torch.error}`);
    }
    if (flags.wasmSteps > 0 && model.name === "dcgan-tutorial" && info.choice !== "wasm") {
      await tf.setBackend("wasm"); // registered, with the course's kernels, by initBackend()
      const wasm = await timeTrain(model, flags.width, flags.wasmSteps, 1);
      const wasmRow = makeRow(model, "wasm train()", wasm.ms, wasm.flops);
      rows.push(wasmRow);
      ratios[`${model.name}: wasm / ${info.choice} (speed-up)`] = wasmRow.msPerStep /
        oursRow.msPerStep;
      await tf.setBackend(info.tfBackend);
    }
  }
  if (!cuda.gpuVisible) notes.push(`PyTorch CUDA: skipped (${cuda.message})`);
  else if (!flags.torch) notes.push("PyTorch CUDA: skipped (--no-torch)");

  console.log(
    `${"model".padEnd(18)}${"backend".padEnd(18)}${"ms/step".padStart(9)}${
      "images/s".padStart(10)
    }${"GFLOP/s".padStart(9)}${"GFLOP".padStart(8)}`,
  );
  for (const r of rows) {
    console.log(
      `${r.model.padEnd(18)}${r.backend.padEnd(18)}${r.msPerStep.toFixed(1).padStart(9)}${
        r.imagesPerSecond.toFixed(0).padStart(10)
      }${r.gflopPerSecond.toFixed(0).padStart(9)}${r.gflopPerStep.toFixed(1).padStart(8)}`,
    );
  }
  for (const [name, ratio] of Object.entries(ratios)) console.log(`${name}: ${ratio.toFixed(2)}x`);
  for (const note of notes) console.log(note);

  const result = {
    date: new Date().toISOString(),
    backend: info.choice,
    adapter: info.adapter ?? null,
    gpus: cuda.gpus,
    width: flags.width,
    tfjs: tf.version.tfjs,
    deno: Deno.version.deno,
    torch: torchVersion ?? null,
    torchDevice: torchDevice ?? null,
    loadAverage: Deno.loadavg(),
    rows,
    ratios,
    notes,
  };
  await Deno.mkdir(flags.out, { recursive: true });
  const file = `${flags.out}/${info.choice}-${result.date.slice(0, 19).replace(/:/g, "")}.json`;
  await Deno.writeTextFile(file, JSON.stringify(result, null, 2) + "\n");
  console.log(`wrote ${file}`);
}
