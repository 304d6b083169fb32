import {
  deepStrictEqual as assertEquals,
  match as assertMatch,
  ok as assert,
  rejects,
  throws,
} from "node:assert/strict";
import { courseOptionsFromEnv, setupCourse } from "../lib/notebook/setup.ts";
import { runIsolated } from "./isolated_helpers.ts";

const env = (entries: Record<string, string>) => new Map(Object.entries(entries));

Deno.test("courseOptionsFromEnv() reads and checks every COURSE_ variable", () => {
  assertEquals(courseOptionsFromEnv(env({})), {});
  assertEquals(courseOptionsFromEnv(env({ COURSE_PROFILE: "", COURSE_WORKERS: " " })), {});
  assertEquals(
    courseOptionsFromEnv(env({
      COURSE_BACKEND: "WASM",
      COURSE_PROFILE: "gpu",
      COURSE_WORKERS: "3",
      COURSE_RESULTS: "/tmp/r.jsonl",
    })),
    { backend: "wasm", profile: "gpu", workers: 3, resultsFile: "/tmp/r.jsonl" },
  );
  assertEquals(courseOptionsFromEnv(env({ COURSE_WORKERS: "AUTO" })).workers, "auto");
  throws(
    () => courseOptionsFromEnv(env({ COURSE_WORKERS: "two" })),
    /COURSE_WORKERS must be a positive integer or "auto", got "two"/,
  );
  throws(
    () => courseOptionsFromEnv(env({ COURSE_PROFILE: "laptop" })),
    /COURSE_PROFILE must be one of ci, cpu, gpu, got "laptop"/,
  );
});

Deno.test("courseOptionsFromEnv() treats a source it may not read as empty", () => {
  const denied = {
    get(): string | undefined {
      throw new Deno.errors.NotCapable("Requires env access");
    },
  };
  assertEquals(courseOptionsFromEnv(denied), {});
});

Deno.test("setupCourse() lets a set variable win over the notebook's option", async () => {
  const course = await setupCourse({
    backend: "cpu",
    profile: "gpu",
    workers: 2,
    env: env({ COURSE_PROFILE: "ci" }),
  });
  assertEquals(course.backend.choice, "cpu");
  assertEquals([course.profile.name, course.profile.reason], ["ci", "set by COURSE_PROFILE"]);
  assertEquals([course.profile.workers, course.resultsFile], [2, undefined]);
  const three = await setupCourse({
    backend: "cpu",
    profile: "cpu",
    env: env({ COURSE_WORKERS: "3" }),
  });
  assertEquals([three.profile.shards, three.profile.workers], [6, 3]);
  const plain = await setupCourse({ backend: "cpu", profile: "gpu", env: env({}) });
  assertEquals([plain.profile.name, plain.profile.reason], ["gpu", "set by the profile option"]);
  await rejects(
    () => setupCourse({ env: env({ COURSE_BACKEND: "tpu" }) }),
    /COURSE_BACKEND must be one of auto, gpu, webgpu, node, wasm, cpu, got "tpu"/,
  );
});

Deno.test("setupCourse() shares the cpu profile's 2 shards between the idle cores", async () => {
  const course = await setupCourse({ backend: "cpu", profile: "cpu", env: env({}) });
  assertEquals(course.profile.shards, 2);
  assert([1, 2].includes(course.profile.workers), `workers ${course.profile.workers}`);
  const ci = await setupCourse({ backend: "cpu", profile: "ci", env: env({}) });
  assertEquals([ci.profile.shards, ci.profile.workers], [1, 1]);
});

Deno.test("resolveProfile() before initBackend() throws instead of guessing the profile", async () => {
  // In a child process: this process's backend is initialised by the other tests.
  const out = await runIsolated(
    `import { resolveProfile } from "@course/lib";
    import { initBackend } from "@course/lib";
    try {
      resolveProfile();
      console.log("no error");
    } catch (error) {
      console.log((error as Error).message);
    }
    console.log(resolveProfile({ profile: "ci" }).name);
    await initBackend({ backend: "cpu" });
    console.log(resolveProfile().name);`,
  );
  const [error, named, afterInit] = out.trim().split("\n");
  assertMatch(error, /Cannot resolve profile: no backend is initialised yet.*call initBackend\(\)/);
  assertEquals([named, afterInit], ["ci", "cpu"]);
});
