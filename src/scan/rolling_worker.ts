/// <reference lib="deno.worker" />
import { type RollingJob, scanSteps, type WorkerReply } from "./rolling.ts";
import { type PackedSeries, unpackSeries } from "./shared_series.ts";

/**
 * One worker of `rollingScans` (src/scan/rolling.ts): scans its block of steps in order over the shared bars
 * and posts the picks back, with its progress at most every 250 ms (which also tells the pool it is alive).
 * One job per worker; the pool terminates it after.
 */
const FAILED = "the scan of a block of steps failed";

self.onmessage = (e: MessageEvent<{ series: PackedSeries; job: RollingJob }>) => {
  const reply = (m: WorkerReply) => self.postMessage(m);
  try {
    const series = unpackSeries(e.data.series);
    let last = performance.now();
    const scans = scanSteps(series, e.data.job, (done) => {
      const now = performance.now();
      if (now - last >= 250) {
        last = now;
        reply({ kind: "progress", done });
      }
    });
    reply({ kind: "done", scans });
  } catch (err) {
    reply({ kind: "error", message: `${FAILED}: ${(err as Error)?.message ?? err}` });
  }
};
