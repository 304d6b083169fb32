import assert from "node:assert/strict";
import { recordResult } from "@course/results.ts";
import { replaceResultsSection, resultsTable } from "../scripts/results.ts";

Deno.test("recordResult() appends one JSON line per call to its file, and none without one", async () => {
  const file = await Deno.makeTempFile();
  await recordResult("02_dcgan", "FID", 12.5, { profile: "ci", file });
  await recordResult("02_dcgan", "IS", 7.25, { file });
  await recordResult("02_dcgan", "KID", 0.5);
  const lines = (await Deno.readTextFile(file)).trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(lines.length, 2);
  assert.deepEqual([lines[0].metric, lines[0].value, lines[0].profile], ["FID", 12.5, "ci"]);
  assert.equal(lines[1].metric, "IS");
  assert.equal(lines[0].file, undefined);
  await Deno.remove(file);
});

Deno.test("recordResult() rejects a value that is not a finite number", async () => {
  await assert.rejects(() => recordResult("x", "FID", NaN), /must be a finite number, got NaN/);
});

Deno.test("resultsTable() shows each notebook's metrics, time and failures", () => {
  const table = resultsTable([
    {
      notebook: "notebooks/08_cgan.ipynb",
      profile: "cpu",
      ok: true,
      seconds: 300,
      cpuSeconds: 250,
      date: "2026-11-22T05:00:00Z",
      records: [
        { source: "08_cgan", metric: "class accuracy", value: 0.9312, time: "", backend: "wasm" },
        { source: "08_cgan", metric: "mean |D - D*|", value: 0.04, time: "" },
      ],
    },
    {
      notebook: "notebooks/02_dcgan.ipynb",
      profile: "cpu",
      ok: false,
      seconds: 12,
      date: "2026-11-22T05:00:00Z",
      records: [],
    },
  ]);
  const rows = table.split("\n");
  assert.equal(rows.length, 4);
  assert.match(rows[2], /^\| 02_dcgan \| cpu \| \? \| 12 s \| - \| FAILED/);
  assert.match(
    rows[3],
    /^\| 08_cgan \| cpu \| wasm \| 5\.0 min \| 4\.2 min \| class accuracy 0\.931; /,
  );
  assert.match(rows[3], /mean \\\|D - D\*\\\| 0\.0400 \|/); // pipes escaped inside the cell
});

Deno.test("replaceResultsSection() swaps only the marked section and needs the markers", () => {
  const readme = "a\n<!-- results:start -->\nold\n<!-- results:end -->\nb\n";
  assert.equal(
    replaceResultsSection(readme, "new"),
    "a\n<!-- results:start -->\nnew\n<!-- results:end -->\nb\n",
  );
  assert.throws(() => replaceResultsSection("no markers", "x"), /has no "<!-- results:start -->"/);
});
