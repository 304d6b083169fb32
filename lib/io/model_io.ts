/**
 * Save and load `tf.LayersModel`s to a directory without tfjs-node.
 *
 * The layout is the one `model.save("file://dir")` writes with tfjs-node: `model.json` (topology,
 * format, weights manifest) next to `weights.bin` (all weights, little-endian, in manifest order),
 * so a directory saved here loads with tfjs-node's `tf.loadLayersModel("file://dir/model.json")`
 * and the other way round.
 *
 * Writes are atomic: each file is written under a temporary name and renamed into place, the weights
 * first and `model.json` last, so a crash never leaves a `model.json` that points at half-written
 * weights. `model.json` also records the SHA-256 of the weights (`weightsSha256`, a field tfjs
 * ignores). Loading checks the JSON, the byte count and checksum of the weights, and (for
 * {@linkcode loadModelWeights}) the weight shapes against the model, and says what to do.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { writeFileAtomic } from "../core/fs.ts";
import { sha256Hex } from "./checksum.ts";
import { firstLine } from "../core/errors.ts";
import { pathExists } from "../core/fs.ts";

/** The file names tfjs-node uses. */
const MODEL_JSON = "model.json";
/** The weights file name tfjs-node uses. */
const WEIGHTS_BIN = "weights.bin";

/** What {@linkcode saveModel} wrote. */
export interface SaveModelResult {
  /** The directory written. */
  dir: string;
  /** Bytes of `weights.bin`. */
  weightBytes: number;
  /** Number of weight tensors. */
  weightCount: number;
}

/** `model.json` as saved here: tfjs's fields plus the checksum of the weights. */
export type SavedModelJSON = tf.io.ModelJSON & {
  /** SHA-256 of the concatenated weight files, as hex (absent in files tfjs wrote itself). */
  weightsSha256?: string;
};

/** The parsed contents of a saved model directory. */
export interface ModelFiles {
  /** The `model.json` object as tfjs writes it. */
  json: SavedModelJSON;
  /** The weight specs of every manifest group, in order. */
  weightSpecs: tf.io.WeightsManifestEntry[];
  /** The concatenated weight bytes. */
  weightData: ArrayBuffer;
}

/**
 * Save a model's topology and weights to `dir` as `model.json` + `weights.bin`, atomically.
 * Creates `dir` (and its parents) when missing; replaces an earlier save in place.
 *
 * @example Save a tiny model and load it back
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { loadModel, saveModel } from "./model_io.ts";
 * import { deepStrictEqual, strictEqual } from "node:assert/strict";
 * const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
 * const dir = await Deno.makeTempDir();
 * const saved = await saveModel(model, dir);
 * strictEqual(saved.weightBytes, 32); // (3 * 2 + 2) float32 values
 * const again = await loadModel(dir);
 * deepStrictEqual(again.outputs[0].shape, [null, 2]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function saveModel(model: tf.LayersModel, dir: string): Promise<SaveModelResult> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler((a: tf.io.ModelArtifacts) => {
      artifacts = a;
      return Promise.resolve({ modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) });
    }),
  );
  if (!artifacts) throw new Error(`Cannot save model to ${dir}: tfjs produced no artifacts`);
  const weightData = joinWeightData(artifacts.weightData);
  const weightSpecs = artifacts.weightSpecs ?? [];
  const json: SavedModelJSON = {
    modelTopology: artifacts.modelTopology as object,
    weightsManifest: [{ paths: [WEIGHTS_BIN], weights: weightSpecs }],
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
  };
  if (artifacts.trainingConfig) json.trainingConfig = artifacts.trainingConfig;
  if (artifacts.userDefinedMetadata) json.userDefinedMetadata = artifacts.userDefinedMetadata;
  json.weightsSha256 = await sha256Hex(new Uint8Array(weightData));
  try {
    await Deno.mkdir(dir, { recursive: true });
  } catch (error) {
    throw new Error(
      `Cannot save model to ${dir}: cannot create the directory (${firstLine(error)})`,
    );
  }
  await writeFileAtomic(`${dir}/${WEIGHTS_BIN}`, new Uint8Array(weightData));
  await writeFileAtomic(`${dir}/${MODEL_JSON}`, new TextEncoder().encode(JSON.stringify(json)));
  return { dir, weightBytes: weightData.byteLength, weightCount: weightSpecs.length };
}

/**
 * Load a model saved by {@linkcode saveModel} or by tfjs-node's `model.save("file://...")`.
 * Custom layers must be registered (import their module) before loading.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { loadModel, saveModel } from "./model_io.ts";
 * import { deepStrictEqual, strictEqual } from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await saveModel(tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] }), dir);
 * const model = await loadModel(dir);
 * strictEqual(model.countParams(), 3);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function loadModel(dir: string): Promise<tf.LayersModel> {
  const files = await readModelFiles(dir);
  try {
    return await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: files.json.modelTopology,
        weightSpecs: files.weightSpecs,
        weightData: files.weightData,
        format: files.json.format,
        generatedBy: files.json.generatedBy,
        convertedBy: files.json.convertedBy,
      }),
    );
  } catch (error) {
    throw new Error(
      `Cannot load model from ${dir}: tfjs could not rebuild it (${
        firstLine(error)
      }); if it uses a ` +
        `custom layer, import the module that defines it (e.g. @course/lib/models) first`,
    );
  }
}

/**
 * Load the weights saved in `dir` into an existing model with the same architecture (matched by
 * order and shape, since layer names differ between builds). Throws a clear error on a mismatch.
 *
 * @example Copy weights between two builds of the same model
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { loadModelWeights, saveModel } from "./model_io.ts";
 * import { deepStrictEqual, strictEqual } from "node:assert/strict";
 * const build = () => tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
 * const dir = await Deno.makeTempDir();
 * const a = build();
 * await saveModel(a, dir);
 * const b = build();
 * await loadModelWeights(b, dir);
 * deepStrictEqual(b.getWeights()[0].arraySync(), a.getWeights()[0].arraySync());
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function loadModelWeights(model: tf.LayersModel, dir: string): Promise<void> {
  const files = await readModelFiles(dir);
  const targets = model.weights;
  if (targets.length !== files.weightSpecs.length) {
    throw new Error(
      `Cannot load weights from ${dir} into model "${model.name}": the file has ` +
        `${files.weightSpecs.length} weight tensors, the model has ${targets.length}; it was saved ` +
        `from a different architecture (check the builder options, e.g. width and latentDim)`,
    );
  }
  files.weightSpecs.forEach((spec, i) => {
    const expected = targets[i].shape;
    if (!sameShape(spec.shape, expected)) {
      throw new Error(
        `Cannot load weights from ${dir} into model "${model.name}": weight ${i} ("${spec.name}") ` +
          `has shape [${spec.shape}], the model expects [${expected}] ("${targets[i].name}"); it ` +
          `was saved from a different architecture (check the builder options, e.g. width)`,
      );
    }
  });
  const named = tf.io.decodeWeights(files.weightData, files.weightSpecs);
  const values = files.weightSpecs.map((spec) => named[spec.name]);
  model.setWeights(values);
  tf.dispose(values);
}

/**
 * Read and validate `model.json` and its weight files without building the model.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { readModelFiles, saveModel } from "./model_io.ts";
 * import { deepStrictEqual, strictEqual } from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await saveModel(tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [4] })] }), dir);
 * const files = await readModelFiles(dir);
 * deepStrictEqual(files.weightSpecs.map((s) => s.shape), [[4, 4], [4]]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function readModelFiles(dir: string): Promise<ModelFiles> {
  const where = `Cannot load model from ${dir}`;
  const jsonPath = `${dir}/${MODEL_JSON}`;
  let text: string;
  try {
    text = await Deno.readTextFile(jsonPath);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      const dirExists = await pathExists(dir);
      throw new Error(
        dirExists
          ? `${where}: it has no ${MODEL_JSON}; save a model there with saveModel() first`
          : `${where}: the directory does not exist; check the path or train a model first`,
      );
    }
    throw new Error(`${where}: cannot read ${MODEL_JSON} (${firstLine(error)})`);
  }
  let json: SavedModelJSON;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(
      `${where}: ${MODEL_JSON} is not valid JSON (${
        firstLine(error)
      }); the checkpoint is corrupt, ` +
        `delete it or resume from an earlier one`,
    );
  }
  if (typeof json !== "object" || json === null || !json.modelTopology) {
    throw new Error(
      `${where}: ${MODEL_JSON} has no modelTopology; it is not a tfjs layers model (a graph model ` +
        `from the converter needs tf.loadGraphModel instead)`,
    );
  }
  const manifest = json.weightsManifest ?? [];
  if (!Array.isArray(manifest)) {
    throw new Error(
      `${where}: ${MODEL_JSON} has a weightsManifest that is not a list; it is corrupt`,
    );
  }
  const weightSpecs: tf.io.WeightsManifestEntry[] = [];
  const chunks: Uint8Array[] = [];
  for (const group of manifest) {
    weightSpecs.push(...group.weights);
    for (const path of group.paths) {
      const file = `${dir}/${path.replace(/^\.\//, "")}`;
      try {
        chunks.push(await Deno.readFile(file));
      } catch (error) {
        throw new Error(
          `${where}: ${MODEL_JSON} lists ${path} but it cannot be read (${
            firstLine(error)
          }); the ` +
            `checkpoint is incomplete, delete it or resume from an earlier one`,
        );
      }
    }
  }
  const actual = chunks.reduce((sum, c) => sum + c.byteLength, 0);
  const expected = weightSpecs.reduce((sum, spec) => sum + specBytes(spec, where), 0);
  if (actual !== expected) {
    const names = manifest.flatMap((g) => g.paths).join(" + ") || WEIGHTS_BIN;
    throw new Error(
      `${where}: ${names} has ${actual} bytes, ${MODEL_JSON} expects ${expected}; the checkpoint ` +
        `is corrupt, delete it or resume from an earlier one`,
    );
  }
  const weightData = new Uint8Array(actual);
  let offset = 0;
  for (const chunk of chunks) {
    weightData.set(chunk, offset);
    offset += chunk.byteLength;
  }
  if (typeof json.weightsSha256 === "string") {
    const sum = await sha256Hex(weightData);
    if (sum !== json.weightsSha256) {
      const names = manifest.flatMap((g) => g.paths).join(" + ") || WEIGHTS_BIN;
      throw new Error(
        `${where}: ${names} fails its checksum (SHA-256 ${sum.slice(0, 12)}..., ${MODEL_JSON} ` +
          `says ${
            json.weightsSha256.slice(0, 12)
          }...): the file is corrupt (a changed byte or an ` +
          `incomplete copy); save or copy the model again, or use an earlier checkpoint`,
      );
    }
  }
  return { json, weightSpecs, weightData: weightData.buffer };
}

/**
 * Concatenate tfjs `WeightData` (one buffer or a list of buffers) into one ArrayBuffer.
 *
 * @example
 * ```ts
 * import { joinWeightData } from "./model_io.ts";
 * import { deepStrictEqual, strictEqual } from "node:assert/strict";
 * strictEqual(joinWeightData([new ArrayBuffer(4), new ArrayBuffer(8)]).byteLength, 12);
 * ```
 */
export function joinWeightData(data: tf.io.WeightData | undefined): ArrayBuffer {
  if (data === undefined) return new ArrayBuffer(0);
  return Array.isArray(data) ? tf.io.CompositeArrayBuffer.join(data) : data;
}

const DTYPE_BYTES: Record<string, number> = {
  float32: 4,
  int32: 4,
  bool: 1,
  uint8: 1,
  uint16: 2,
  float16: 2,
  complex64: 8,
};

function specBytes(spec: tf.io.WeightsManifestEntry, where: string): number {
  const dtype = spec.quantization?.dtype ?? spec.dtype;
  const bytes = DTYPE_BYTES[dtype];
  if (bytes === undefined || !Array.isArray(spec.shape)) {
    throw new Error(
      `${where}: weight "${spec.name}" has an unsupported dtype or shape; it is corrupt`,
    );
  }
  return bytes * spec.shape.reduce((a, b) => a * b, 1);
}

function sameShape(a: number[], b: (number | null)[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
