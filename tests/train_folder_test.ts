import sharp from "sharp";
import { deepStrictEqual as assertEquals, ok as assert, rejects } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { FACE_HAIR_COLOURS, FACE_SKIN_COLOURS, loadFacesArrays } from "../lib/data/faces.ts";
import { imageFolderTrainingData } from "../lib/variants/training_data.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** A fixture folder: `count` rendered faces as PNG files `0.png`... and `tags.csv` (id,hair,skin). */
async function faceFolder(count: number): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "face_folder_" });
  const faces = await loadFacesArrays({ size: count, imageSize: 24, cacheDir: false });
  const perFace = 24 * 24 * 3;
  const rows = ["id,hair,skin"];
  for (let i = 0; i < count; i++) {
    await sharp(faces.pixels.subarray(i * perFace, (i + 1) * perFace), {
      raw: { width: 24, height: 24, channels: 3 },
    }).png().toFile(`${dir}/${i}.png`);
    rows.push(
      `${i},${FACE_HAIR_COLOURS[faces.hair[i]].name},${FACE_SKIN_COLOURS[faces.skin[i]].name}`,
    );
  }
  await Deno.writeTextFile(`${dir}/tags.csv`, rows.join("\n") + "\n");
  return dir;
}

async function train(args: string[]): Promise<{ code: number; output: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "scripts/train.ts", ...args],
    cwd: ROOT,
    stdin: "null",
  }).output();
  const text = new TextDecoder();
  return { code, output: text.decode(stdout) + text.decode(stderr) };
}

Deno.test("deno task train acgan --data DIR trains the ACGAN on a folder of faces with tags.csv", async () => {
  const dir = await faceFolder(40);
  const out = await Deno.makeTempDir({ prefix: "train_folder_out_" });
  try {
    const { code, output } = await train([
      "acgan",
      "--data",
      dir,
      "--image-size",
      "16",
      "--profile",
      "ci",
      "--epochs",
      "1",
      "--steps-per-epoch",
      "2",
      "--batch-size",
      "8",
      "--out",
      out,
    ]);
    assertEquals(code, 0, output);
    assert(output.includes(`40 images from ${dir} (16x16x3`), output);
    assert(output.includes("hair (10), skin (4)"), output);
    assert(output.includes("Finished at step 2"), output);
    const files = [...Deno.readDirSync(out)].map((e) => e.name).sort();
    assert(files.includes("checkpoint") && files.includes("samples"), files.join(", "));
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("train --data refuses a folder without tags for acgan, and variants that need labels", async () => {
  const dir = await faceFolder(8);
  try {
    await Deno.remove(`${dir}/tags.csv`);
    const options = { imageSize: 16, batchSize: 4, seed: 0 };
    await rejects(
      imageFolderTrainingData(dir, { ...options, name: "acgan", data: "mnist-tags" }),
      /Cannot train acgan from .*: it needs tags, in .*tags\.csv \(a header "id,<group>,\.\.\."/,
    );
    await rejects(
      imageFolderTrainingData(dir, { ...options, name: "cyclegan", data: "two-domain" }),
      /Cannot train cyclegan from an image folder/,
    );
    await rejects(
      imageFolderTrainingData(dir, { ...options, imageSize: 24, name: "dcgan", data: "mnist" }),
      /--image-size must be 4 \* 2\^n/,
    );
    const images = await imageFolderTrainingData(dir, { ...options, name: "dcgan", data: "mnist" });
    assertEquals(images.config, { imageShape: [16, 16, 3], tagGroups: undefined });
    assertEquals(images.source.batch(0, 0).realImages.shape, [4, 16, 16, 3]);
    images.dispose();
    const { code, output } = await train(["cgan", "--data", dir, "--profile", "ci"]);
    assertEquals(code, 1, output);
    assert(output.includes("Cannot train cgan from an image folder"), output);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
