// Assertions shared by tests/losses_test.ts and tests/models_test.ts (JSR is unreachable here, so
// the tests use node:assert plus these).
import * as tf from "@tensorflow/tfjs";
import { deepStrictEqual, ok, throws } from "node:assert/strict";

export { deepStrictEqual as assertEquals, ok as assert };

/** Assert |actual - expected| <= tolerance. */
export function assertAlmostEquals(actual: number, expected: number, tolerance = 1e-7): void {
  ok(
    Math.abs(actual - expected) <= tolerance,
    `expected ${expected} +/- ${tolerance}, got ${actual}`,
  );
}

/** Assert `fn` throws an Error whose message includes `fragment`. */
export function assertThrows(fn: () => unknown, fragment: string): void {
  throws(fn, (error: Error) => error.message.includes(fragment));
}

/** Run `fn` and assert it leaves exactly `kept` more tensors alive. */
export function noLeak<T>(fn: () => T, kept = 0): T {
  const before = tf.memory().numTensors;
  const result = fn();
  deepStrictEqual(tf.memory().numTensors - before, kept, "tensor leak");
  return result;
}

/** The first value of a tensor, which is then disposed. */
export function value(t: tf.Tensor): number {
  const v = t.dataSync()[0];
  t.dispose();
  return v;
}

/** `model` saved to memory and loaded back (the path a saved model.json takes, without files). */
export async function roundTrip(model: tf.LayersModel): Promise<tf.LayersModel> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler((a) => {
    artifacts = a;
    return Promise.resolve({
      modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" },
    });
  }));
  return await tf.loadLayersModel(tf.io.fromMemory(artifacts!));
}
