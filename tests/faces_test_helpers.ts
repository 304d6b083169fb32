/** Checks shared by the tests of the face loaders (`lib/data/faces.ts`, `face_styles.ts`). */
import { FACE_HAIR_COLOURS, type FaceArrays } from "../lib/data/faces.ts";

/** How many labels take each of the values 0..n-1. */
export function counts(labels: ArrayLike<number>, n: number): number[] {
  const c = new Array(n).fill(0);
  for (let i = 0; i < labels.length; i++) c[labels[i]]++;
  return c;
}

/** Share of face `i`'s pixels within 6/255 of each hair colour of the palette. */
export function hairShares(faces: FaceArrays, i: number): number[] {
  const pixels = faces.imageSize * faces.imageSize;
  return FACE_HAIR_COLOURS.map(({ hex }) => {
    const target = [0, 2, 4].map((k) => parseInt(hex.slice(k, k + 2), 16));
    let near = 0;
    for (let p = 0; p < pixels; p++) {
      const at = (i * pixels + p) * 3;
      if (target.every((v, c) => Math.abs(faces.pixels[at + c] - v) <= 6)) near++;
    }
    return near / pixels;
  });
}
