/**
 * How well an unsupervised code matches known classes: InfoGAN's categorical code has no names,
 * so its value 3 may draw the digit 7. Count how often each code value is read as each class,
 * find the one-to-one mapping of codes to classes that agrees most often (exactly, by dynamic
 * programming over sets of classes, as the Hungarian algorithm would), and report the share of
 * samples the mapping gets right: the clustering accuracy of unsupervised learning.
 *
 * @module
 */

/** What {@linkcode matchCodesToClasses} returns. */
export interface CodeMatch {
  /** `counts[code][class]`: samples of that code read as that class. */
  counts: number[][];
  /** The best one-to-one mapping: `mapping[code]` is a class, no class used twice. */
  mapping: number[];
  /** Share of the samples whose class is the mapped class of their code, in [0, 1]. */
  accuracy: number;
  /** Share of each code's samples that its mapped class takes (NaN for an unused code). */
  purity: number[];
}

/**
 * Match code values to classes one to one, maximising the samples that agree. `codes[i]` is the
 * code sample i was generated with, `classes[i]` what a classifier read it as. There must be no
 * more code values than classes (at most 20 classes).
 *
 * @example Codes that draw classes in a shuffled order are matched perfectly
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { matchCodesToClasses } from "./code_matching.ts";
 * const match = matchCodesToClasses([0, 0, 1, 1, 2, 2], [2, 2, 0, 0, 1, 0], 3, 3);
 * assertEquals(match.mapping, [2, 0, 1]);
 * assertEquals(match.accuracy, 5 / 6);
 * // Greedy would give code 1 class 0 and code 2 nothing better; the exact match sees it all.
 * assertEquals(matchCodesToClasses([0, 0, 0, 1, 1], [0, 0, 1, 0, 0], 2, 2).mapping, [1, 0]);
 * ```
 */
export function matchCodesToClasses(
  codes: ArrayLike<number>,
  classes: ArrayLike<number>,
  numCodes: number,
  numClasses: number,
): CodeMatch {
  if (codes.length !== classes.length || codes.length === 0) {
    throw new Error(
      `Cannot match codes to classes: need one class per code and at least one sample, got ` +
        `${codes.length} codes and ${classes.length} classes`,
    );
  }
  if (
    !Number.isInteger(numCodes) || !Number.isInteger(numClasses) || numCodes < 1 ||
    numCodes > numClasses || numClasses > 20
  ) {
    throw new Error(
      `Cannot match codes to classes: need 1 <= numCodes <= numClasses <= 20, got ${numCodes} ` +
        `codes and ${numClasses} classes`,
    );
  }
  const counts = Array.from({ length: numCodes }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < codes.length; i++) {
    const [c, k] = [codes[i], classes[i]];
    if (
      !Number.isInteger(c) || c < 0 || c >= numCodes || !Number.isInteger(k) || k < 0 ||
      k >= numClasses
    ) {
      throw new Error(
        `Cannot match codes to classes: sample ${i} has code ${c} and class ${k}, expected ` +
          `integers in 0..${numCodes - 1} and 0..${numClasses - 1}`,
      );
    }
    counts[c][k]++;
  }
  // best[mask]: most agreements when codes 0..popcount(mask)-1 take exactly the classes in mask
  const size = 1 << numClasses;
  const best = new Float64Array(size).fill(-Infinity);
  const choice = new Int8Array(size).fill(-1);
  best[0] = 0;
  for (let mask = 0; mask < size; mask++) {
    if (best[mask] === -Infinity) continue;
    const code = popcount(mask);
    if (code >= numCodes) continue;
    for (let k = 0; k < numClasses; k++) {
      if (mask & (1 << k)) continue;
      const next = mask | (1 << k);
      const value = best[mask] + counts[code][k];
      if (value > best[next]) {
        best[next] = value;
        choice[next] = k;
      }
    }
  }
  let end = -1;
  for (let mask = 0; mask < size; mask++) {
    if (popcount(mask) === numCodes && (end < 0 || best[mask] > best[end])) end = mask;
  }
  const mapping = new Array<number>(numCodes);
  for (let mask = end, code = numCodes - 1; code >= 0; code--) {
    mapping[code] = choice[mask];
    mask &= ~(1 << choice[mask]);
  }
  const purity = counts.map((row, code) => {
    const total = row.reduce((a, b) => a + b, 0);
    return total > 0 ? row[mapping[code]] / total : NaN;
  });
  return { counts, mapping, accuracy: best[end] / codes.length, purity };
}

function popcount(mask: number): number {
  let n = 0;
  for (let m = mask; m; m &= m - 1) n++;
  return n;
}
