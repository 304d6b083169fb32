import * as tf from "@tensorflow/tfjs";
import sharp from "sharp";
import { deepStrictEqual as assertEquals, ok as assert, rejects } from "node:assert/strict";
import { initBackend } from "../lib/backend.ts";
import { loadImageFolder } from "../lib/data/image_folder.ts";

await initBackend();

/** A w x h image: red in the centre square, blue on the sides cut by a centre crop. */
async function centredRed(path: string, width: number, height: number, format: "png" | "jpeg") {
  const side = Math.min(width, height);
  const pixels = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inside = Math.abs(x + 0.5 - width / 2) <= side / 2 &&
        Math.abs(y + 0.5 - height / 2) <= side / 2;
      pixels.set(inside ? [255, 0, 0] : [0, 0, 255], (y * width + x) * 3);
    }
  }
  const image = sharp(pixels, { raw: { width, height, channels: 3 } });
  await (format === "png" ? image.png() : image.jpeg({ quality: 95 })).toFile(path);
}

/** A fixture folder: mixed sizes and formats, a transparent PNG, a grey PNG, a README. */
async function fixture(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "image_folder_" });
  await centredRed(`${dir}/10.png`, 60, 20, "png"); // wide
  await centredRed(`${dir}/2.JPG`, 24, 72, "jpeg"); // tall, upper-case extension
  await sharp({ create: { width: 16, height: 16, channels: 4, background: "#00000000" } })
    .png().toFile(`${dir}/3.png`); // fully transparent -> white
  await sharp(new Uint8Array(30 * 30).fill(0), { raw: { width: 30, height: 30, channels: 1 } })
    .png().toFile(`${dir}/4.png`); // one grey channel -> black RGB
  await Deno.writeTextFile(`${dir}/README.txt`, "not an image");
  await Deno.writeTextFile(
    `${dir}/tags.csv`,
    "id,hair,eyes\n2,blonde,blue\n10,black,red\n3,blonde,red\n4,aqua,blue\n",
  );
  return dir;
}

Deno.test("loadImageFolder() resizes and centre-crops mixed sizes into [n, s, s, 3] in [-1, 1]", async () => {
  const dir = await fixture();
  try {
    const before = tf.memory().numTensors;
    const data = await loadImageFolder(dir, { imageSize: 8 });
    assertEquals(data.ids, ["2", "3", "4", "10"]); // natural order; README and CSV ignored
    assertEquals(data.images.shape, [4, 8, 8, 3]);
    assertEquals(data.groups, []);
    assertEquals(data.tags, undefined);
    const pixels = data.images.arraySync() as number[][][][];
    // The centre crop keeps only the red square of the wide PNG and the tall JPEG.
    // (resampling blends a little of the cut-off blue into the edge pixels)
    for (const [i, tolerance] of [[3, 0.15], [0, 0.2]]) {
      for (const row of pixels[i]) {
        for (const [r, g, b] of row) {
          assert(
            r >= 1 - tolerance && g <= -1 + tolerance && b <= -1 + tolerance,
            `${r},${g},${b}`,
          );
        }
      }
    }
    assert(pixels[1].flat(2).every((v) => v === 1), "transparent becomes white");
    assert(pixels[2].flat(2).every((v) => v === -1), "grey black becomes RGB black");
    data.dispose();
    assertEquals(tf.memory().numTensors, before);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadImageFolder() reads the tags CSV into one-hot groups in the CSV's order", async () => {
  const dir = await fixture();
  try {
    const data = await loadImageFolder(dir, { imageSize: 4, tags: true });
    assertEquals(data.groups.map((g) => [g.name, g.values]), [
      ["hair", ["aqua", "black", "blonde"]],
      ["eyes", ["blue", "red"]],
    ]);
    // ids 2, 3, 4, 10: blonde/blue, blonde/red, aqua/blue, black/red
    assertEquals(Array.from(data.groups[0].labels.dataSync()), [2, 2, 0, 1]);
    assertEquals(Array.from(data.groups[1].labels.dataSync()), [0, 1, 0, 1]);
    assertEquals(data.tags!.arraySync(), [
      [0, 0, 1, 1, 0],
      [0, 0, 1, 0, 1],
      [1, 0, 0, 1, 0],
      [0, 1, 0, 0, 1],
    ]);
    assert(data.description.includes("hair (3), eyes (2)"), data.description);
    data.dispose();
    // Fixed vocabularies give fixed labels, whatever the folder holds.
    const fixed = await loadImageFolder(dir, {
      imageSize: 4,
      tags: `${dir}/tags.csv`,
      tagValues: { hair: ["black", "blonde", "aqua", "pink"] },
    });
    assertEquals(fixed.groups[0].values.length, 4);
    assertEquals(Array.from(fixed.groups[0].labels.dataSync()), [1, 1, 2, 0]);
    assertEquals(fixed.tags!.shape, [4, 6]);
    fixed.dispose();
    // Rows may name the files with their extension.
    await Deno.writeTextFile(
      `${dir}/tags.csv`,
      "id,hair,eyes\n2.JPG,blonde,blue\n10.png,black,red\n3.png,blonde,red\n4,aqua,blue\n",
    );
    const named = await loadImageFolder(dir, { imageSize: 4, tags: true });
    assertEquals(Array.from(named.groups[0].labels.dataSync()), [2, 2, 0, 1]);
    named.dispose();
    await Deno.writeTextFile(`${dir}/tags.csv`, "id,hair\n3,a\n3.png,b\n");
    await rejects(loadImageFolder(dir, { tags: true }), /id "3" appears twice/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadImageFolder() explains an empty folder, unreadable images and bad tags", async () => {
  const dir = await fixture();
  const empty = await Deno.makeTempDir();
  try {
    await rejects(loadImageFolder(empty), /holds no PNG or JPEG images/);
    await rejects(loadImageFolder(`${empty}/nowhere`), /cannot list it/);
    await rejects(loadImageFolder(dir, { imageSize: 0 }), /imageSize must be an integer/);
    await rejects(
      loadImageFolder(dir, { tags: true, tagValues: { hair: ["black", "blonde"] } }),
      /image "4" has hair "aqua", which is not one of black, blonde/,
    );
    await rejects(
      loadImageFolder(dir, { tags: true, tagValues: { mouth: ["a", "b"] } }),
      /tagValues names group "mouth"/,
    );
    await rejects(loadImageFolder(dir, { tags: `${dir}/none.csv` }), /cannot read it/);
    const csv = (text: string) => Deno.writeTextFile(`${dir}/tags.csv`, text);
    await csv("id,hair,eyes\n2,blonde,blue\n10,black,red\n3,blonde,red\n");
    await rejects(loadImageFolder(dir, { tags: true }), /1 image\(s\) have no row, e.g. 4/);
    await csv("id,hair,eyes\n2,blonde,blue\n10,black,red\n3,blonde,red\n4,aqua,blue\n5,aqua,red\n");
    await rejects(
      loadImageFolder(dir, { tags: true }),
      /1 row\(s\) name no image in the folder, e.g. 5/,
    );
    await csv("id,hair,eyes\n2,blonde\n");
    await rejects(loadImageFolder(dir, { tags: true }), /line 2 \("2,blonde"\) must hold 3/);
    await csv("name,hair\n");
    await rejects(loadImageFolder(dir, { tags: true }), /must name an "id" column/);
    await csv("id,hair,eyes\n2,blonde,blue\n10,blonde,red\n3,blonde,red\n4,blonde,blue\n");
    await rejects(loadImageFolder(dir, { tags: true }), /group "hair" needs at least 2 values/);
    await Deno.writeFile(`${dir}/7.jpeg`, new TextEncoder().encode("not really a JPEG"));
    await rejects(loadImageFolder(dir), /cannot read 7\.jpeg \(.+\); replace it/);
    await Deno.remove(`${dir}/7.jpeg`);
    await Deno.copyFile(`${dir}/3.png`, `${dir}/3.jpg`);
    await rejects(
      loadImageFolder(dir),
      /two images have the id "3" \((3\.jpg, 3\.png|3\.png, 3\.jpg)\)/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(empty, { recursive: true });
  }
});
