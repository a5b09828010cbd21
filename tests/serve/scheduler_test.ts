import assert from "node:assert/strict";
import { nullLogger } from "../../src/log/logger.ts";
import { registry } from "../../src/metrics/registry.ts";
import { createScheduler, nextTick, type Timers } from "../../src/serve/scheduler.ts";
import type { ComponentStatusInput } from "../../src/health/status_store.ts";

/** Hand-driven clock: `advance` fires due timers in order; nothing real is scheduled. */
function fakeTimers(start: number) {
  let now = start;
  let seq = 0;
  const pending = new Map<number, { at: number; fn: () => void }>();
  const timers: Timers = {
    now: () => now,
    set(fn, ms) {
      const id = ++seq;
      pending.set(id, { at: now + ms, fn });
      return id;
    },
    clear(id) {
      pending.delete(id as number);
    },
  };
  return {
    timers,
    pending,
    async advance(ms: number) {
      const target = now + ms;
      for (;;) {
        // Let work started by the previous timer (or by start()) settle first, as real time would.
        for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
        const due = [...pending.entries()].filter(([, t]) =>
          t.at <= target
        ).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        pending.delete(due[0]);
        now = due[1].at;
        due[1].fn();
        await new Promise((r) => setTimeout(r, 0));
      }
      now = target;
    },
  };
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

async function sample(name: string, labels: string): Promise<number> {
  const m = new RegExp(`^${name}\\{${labels.replace(/[{}()|.*+?^$\\[\]]/g, "\\$&")}\\} (\\S+)$`, "m")
    .exec(await registry.metrics());
  return m ? Number(m[1]) : NaN;
}

Deno.test("nextTick aligns to multiples of the cadence in UTC", () => {
  const t = Date.UTC(2026, 0, 1, 10, 7, 30);
  assert.equal(nextTick(t, 15 * 60_000, true), Date.UTC(2026, 0, 1, 10, 15, 0));
  assert.equal(nextTick(Date.UTC(2026, 0, 1, 10, 15, 0), 15 * 60_000, true), Date.UTC(2026, 0, 1, 10, 30, 0));
  assert.equal(nextTick(t, 60_000, false), t + 60_000);
});

Deno.test("scheduler runs at start, then on the aligned cadence", async () => {
  const start = Date.UTC(2026, 0, 1, 10, 7, 0);
  const clock = fakeTimers(start);
  const runsAt: number[] = [];
  const s = createScheduler({
    jobs: [{
      name: "cadence_a",
      everyMs: 15 * 60_000,
      run: () => Promise.resolve(runsAt.push(clock.timers.now())),
    }],
    log: nullLogger,
    timers: clock.timers,
  });
  s.start();
  await clock.advance(40 * 60_000);
  assert.deepEqual(runsAt.map((t) => new Date(t).toISOString().slice(11, 16)), [
    "10:07",
    "10:15",
    "10:30",
    "10:45",
  ]);
  assert.equal(s.state("cadence_a").runs, 4);
  await s.stop();
  assert.equal(clock.pending.size, 0, "stop clears every timer");
});

Deno.test("a tick while the previous run is still going is skipped (overlap protection)", async () => {
  const clock = fakeTimers(0);
  const gate = deferred();
  let started = 0;
  const statuses: ComponentStatusInput[] = [];
  const s = createScheduler({
    jobs: [{
      name: "overlap_a",
      everyMs: 1000,
      run: async () => {
        started++;
        await gate.promise;
        return "done";
      },
    }],
    log: nullLogger,
    timers: clock.timers,
    writeStatus: (st) => Promise.resolve(void statuses.push(st)),
  });
  s.start(); // run 1 starts and blocks
  await clock.advance(3000); // three ticks arrive while run 1 is going
  assert.equal(started, 1);
  assert.equal(s.state("overlap_a").skippedTicks, 3);
  assert.equal(await sample("cryptorun_scheduler_runs_total", 'job="overlap_a",outcome="skipped"'), 3);
  assert.equal(await sample("cryptorun_scheduler_running", 'job="overlap_a"'), 1);
  assert.equal(await s.trigger("overlap_a"), "skipped");
  gate.resolve();
  await new Promise((r) => setTimeout(r, 0));
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(s.state("overlap_a").running, false);
  assert.equal(s.state("overlap_a").skippedTicks, 0);
  assert.equal(s.state("overlap_a").lastResult, "done");
  assert.equal(await sample("cryptorun_scheduler_runs_total", 'job="overlap_a",outcome="ok"'), 1);
  assert.equal(await sample("cryptorun_scheduler_running", 'job="overlap_a"'), 0);
  assert.equal(statuses.at(-1)?.component, "scheduler.overlap_a");
  assert.equal(statuses.at(-1)?.consecutive_failures, 0);
  await clock.advance(1000);
  assert.equal(started, 2, "the next tick after the run finished runs again");
  await s.stop();
  assert.equal(statuses.at(-1)?.state, "stopped");
});

Deno.test("a failing job records the redacted error, counts failures in a row, and recovers", async () => {
  const clock = fakeTimers(1_000_000);
  let fail = true;
  const statuses: ComponentStatusInput[] = [];
  const s = createScheduler({
    jobs: [{
      name: "failing_a",
      everyMs: 1000,
      run: () =>
        fail ? Promise.reject(new Error("db postgres://u:hunter22@db:5432/x refused")) : Promise.resolve(1),
    }],
    log: nullLogger,
    timers: clock.timers,
    runAtStart: false,
    writeStatus: (st) => Promise.resolve(void statuses.push(st)),
  });
  s.start();
  assert.equal(await s.trigger("failing_a"), "error");
  assert.equal(await s.trigger("failing_a"), "error");
  const st = s.state("failing_a");
  assert.equal(st.consecutiveFailures, 2);
  assert.ok(!st.lastError!.message.includes("hunter22"), st.lastError!.message);
  assert.equal(statuses.at(-1)?.consecutive_failures, 2);
  assert.equal(await sample("cryptorun_scheduler_runs_total", 'job="failing_a",outcome="error"'), 2);
  fail = false;
  assert.equal(await s.trigger("failing_a"), "ok");
  assert.equal(s.state("failing_a").consecutiveFailures, 0);
  assert.ok(s.state("failing_a").lastError, "the last error stays visible after recovery");
  assert.equal(await sample("cryptorun_scheduler_last_success_timestamp_seconds", 'job="failing_a"'), 1000);
  await s.stop();
});

Deno.test("stop aborts a running job and waits for it; a job over its time limit fails", async () => {
  const clock = fakeTimers(0);
  let sawAbort = false;
  const s = createScheduler({
    jobs: [
      {
        name: "stop_a",
        everyMs: 60_000,
        run: (signal) =>
          new Promise((_, reject) =>
            signal.addEventListener("abort", () => {
              sawAbort = true;
              reject(signal.reason);
            })
          ),
      },
      { name: "slow_a", everyMs: 60_000, timeoutMs: 500, run: () => new Promise(() => {}) },
    ],
    log: nullLogger,
    timers: clock.timers,
    runAtStart: false,
  });
  s.start();
  const slow = s.trigger("slow_a");
  await clock.advance(500);
  assert.equal(await slow, "error");
  assert.match(s.state("slow_a").lastError!.message, /timed out after 500 ms/);
  const run = s.trigger("stop_a");
  await s.stop();
  assert.equal(await run, "error");
  assert.equal(sawAbort, true);
  assert.equal(await s.trigger("stop_a"), "skipped", "nothing runs after stop");
});

Deno.test("bad job definitions are refused", () => {
  assert.throws(
    () =>
      createScheduler({
        jobs: [{ name: "Bad Name", everyMs: 1, run: () => Promise.resolve() }],
        log: nullLogger,
      }),
    /bad job name "Bad Name"/,
  );
  assert.throws(
    () =>
      createScheduler({
        jobs: [{ name: "zero", everyMs: 0, run: () => Promise.resolve() }],
        log: nullLogger,
      }),
    /everyMs must be 1\.\.2147483647, found 0/,
  );
  // Beyond 2^31-1 ms a timer overflows and fires at once: the job would run in a loop (or time out at once).
  assert.throws(
    () =>
      createScheduler({
        jobs: [{ name: "monthly", everyMs: 30 * 86_400_000, run: () => Promise.resolve() }],
        log: nullLogger,
      }),
    /job monthly: everyMs must be 1\.\.2147483647, found 2592000000/,
  );
  assert.throws(
    () =>
      createScheduler({
        jobs: [{ name: "slow", everyMs: 60_000, timeoutMs: 2 ** 31, run: () => Promise.resolve() }],
        log: nullLogger,
      }),
    /job slow: timeoutMs must be 0\.\.2147483647, found 2147483648/,
  );
});
