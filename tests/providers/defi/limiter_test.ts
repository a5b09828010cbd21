import assert from "node:assert/strict";
import { spaced } from "../../../src/providers/defi/limiter.ts";

Deno.test("defi limiter: requests start at least min_interval apart, in call order", async () => {
  let clock = 1000;
  const sleeps: number[] = [];
  const started: Array<[string, number]> = [];
  const get = spaced(async (url) => {
    started.push([url, clock]);
    return await Promise.resolve({});
  }, {
    minIntervalMs: 500,
    now: () => clock,
    sleep: (ms) => {
      sleeps.push(ms);
      clock += ms;
      return Promise.resolve();
    },
  });
  await get("a", "e");
  await get("b", "e");
  clock += 2000; // idle long enough: no wait
  await get("c", "e");
  assert.deepEqual(started, [["a", 1000], ["b", 1500], ["c", 3500]]);
  assert.deepEqual(sleeps, [500]);
});
