import assert from "node:assert/strict";
import { recordResult } from "../lib/results.ts";
import { replaceResultsSection, resultsDetails, resultsTable } from "../scripts/results_table.ts";

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

const ROWS = [
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
      { source: "08_cgan", metric: "FID", value: 62.7, time: "", headline: true },
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
];

Deno.test("resultsTable() shows each notebook's headline, time, link to the rest, failures", () => {
  const rows = resultsTable(ROWS).split("\n");
  assert.equal(rows.length, 4);
  assert.match(rows[2], /^\| 02_dcgan \| FAILED \(run `deno task notebooks notebooks\/02_dcgan/);
  assert.equal(
    rows[3],
    "| 08_cgan | FID: **62.7** | [all 3](RESULTS.md#08_cgan) | 5.0 min | 4.2 min |",
  );
});

Deno.test("resultsDetails() lists every figure, pipes escaped, under one heading per notebook", () => {
  const page = resultsDetails(ROWS);
  assert.ok(page.indexOf("## 02_dcgan") < page.indexOf("## 08_cgan"));
  assert.match(page, /profile `cpu`, backend `wasm`, run on 2026-11-22: 5\.0 min, CPU 4\.2 min\./);
  assert.match(page, /\| class accuracy \| 0\.931 \| {2}\|/);
  assert.match(page, /\| mean \\\|D - D\*\\\| \| 0\.0400 \| {2}\|/);
  assert.match(page, /## 02_dcgan\n\n.*\n\nFAILED/);
});

Deno.test("replaceResultsSection() swaps only the marked section and needs the markers", () => {
  const readme = "a\n<!-- results:start -->\nold\n<!-- results:end -->\nb\n";
  assert.equal(
    replaceResultsSection(readme, "new"),
    "a\n<!-- results:start -->\nnew\n<!-- results:end -->\nb\n",
  );
  assert.throws(() => replaceResultsSection("no markers", "x"), /has no "<!-- results:start -->"/);
});
