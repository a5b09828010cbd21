import type { Logger } from "../log/logger.ts";
import { redact } from "../log/redact.ts";
import {
  lastErrorTimestamp,
  queueBacklog,
  schedulerDuration,
  schedulerLastSuccess,
  schedulerRunning,
  schedulerRuns,
} from "../metrics/registry.ts";
import type { ComponentStatusInput } from "../health/status_store.ts";
import { MAX_TIMER_MS } from "../util/time.ts";

/** A job the scheduler runs on a cadence. `run` must honour `signal` (stop, timeout). */
export interface Job {
  /** Bounded metric label: "ingest", "scan". */
  name: string;
  everyMs: number;
  run(signal: AbortSignal): Promise<unknown>;
  /** Abort a run that takes longer than this (default: no limit). */
  timeoutMs?: number;
}

/** Injected clock and timers (tests drive them by hand; production uses the real ones). */
export interface Timers {
  now(): number;
  set(fn: () => void, ms: number): unknown;
  clear(id: unknown): void;
}

export const realTimers: Timers = {
  now: () => Date.now(),
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (id) => clearTimeout(id as ReturnType<typeof setTimeout>),
};

export type Outcome = "ok" | "error" | "skipped";

export interface JobState {
  name: string;
  running: boolean;
  runs: number;
  lastSuccessAt: number | null;
  lastError: { at: number; message: string } | null;
  consecutiveFailures: number;
  /** Ticks skipped because the previous run was still going, since the last finished run. */
  skippedTicks: number;
  nextRunAt: number | null;
  lastResult: unknown;
}

export interface SchedulerOptions {
  jobs: Job[];
  log: Logger;
  timers?: Timers;
  /** Run every job once at start (default true), then on the cadence. */
  runAtStart?: boolean;
  /** Align ticks to multiples of the cadence in UTC (every 15m → :00, :15, …); default true. */
  align?: boolean;
  /** Called after every run (ok or error) — e.g. publish scan results, write the status file. */
  onRun?: (job: string, outcome: Exclude<Outcome, "skipped">, state: JobState) => void | Promise<void>;
  /** Persists a component status (health reads it); errors are logged, never thrown. */
  writeStatus?: (status: ComponentStatusInput) => Promise<void>;
}

export interface Scheduler {
  start(): void;
  /** Runs a job now unless it is already running (then "skipped"). Resolves when this run finishes. */
  trigger(name: string): Promise<Outcome>;
  state(name: string): JobState;
  /** Stops ticking, aborts running jobs, waits for them, writes "stopped" statuses. */
  stop(): Promise<void>;
}

/** Next tick time after `now` on the cadence (aligned to multiples of `everyMs`, or `now + everyMs`). */
export function nextTick(now: number, everyMs: number, align: boolean): number {
  return align ? (Math.floor(now / everyMs) + 1) * everyMs : now + everyMs;
}

/**
 * Runs jobs on a cadence with overlap protection: a tick that arrives while the previous run of the same
 * job is still going is skipped (counted as outcome "skipped", never queued up), so a slow scan cannot pile
 * up runs. Updates the cryptorun_scheduler_* metrics and the job's component status file.
 */
export function createScheduler(opts: SchedulerOptions): Scheduler {
  const timers = opts.timers ?? realTimers;
  const align = opts.align ?? true;
  const jobs = new Map(opts.jobs.map((j) => [j.name, j]));
  if (jobs.size !== opts.jobs.length) throw new Error("scheduler: duplicate job names");
  for (const j of opts.jobs) {
    if (!/^[a-z][a-z0-9_]{0,31}$/.test(j.name)) {
      throw new Error(`scheduler: bad job name ${JSON.stringify(j.name)}`);
    }
    // A timer delay above MAX_TIMER_MS overflows and fires at once: the job would run (or time out) in a loop.
    if (!(j.everyMs >= 1 && j.everyMs <= MAX_TIMER_MS)) {
      throw new Error(`scheduler: job ${j.name}: everyMs must be 1..${MAX_TIMER_MS}, found ${j.everyMs}`);
    }
    if (j.timeoutMs !== undefined && !(j.timeoutMs >= 0 && j.timeoutMs <= MAX_TIMER_MS)) {
      throw new Error(`scheduler: job ${j.name}: timeoutMs must be 0..${MAX_TIMER_MS}, found ${j.timeoutMs}`);
    }
  }
  const states = new Map<string, JobState>();
  const inflight = new Map<string, Promise<Outcome>>();
  const timerIds = new Map<string, unknown>();
  const stopCtl = new AbortController();
  let started = false;
  let stopped = false;

  for (const j of opts.jobs) {
    states.set(j.name, {
      name: j.name,
      running: false,
      runs: 0,
      lastSuccessAt: null,
      lastError: null,
      consecutiveFailures: 0,
      skippedTicks: 0,
      nextRunAt: null,
      lastResult: undefined,
    });
    // Known label sets start at 0 so rate() and the dashboards have a series from the first scrape.
    for (const outcome of ["ok", "error", "skipped"]) schedulerRuns.inc({ job: j.name, outcome }, 0);
    schedulerRunning.set({ job: j.name }, 0);
    lastErrorTimestamp.set({ component: `scheduler.${j.name}` }, 0); // 0: no error since the start
  }

  async function persist(job: Job, st: JobState, state: "running" | "stopped"): Promise<void> {
    queueBacklog.set({ queue: `scheduler.${job.name}.skipped_ticks` }, st.skippedTicks);
    if (!opts.writeStatus) return;
    try {
      await opts.writeStatus({
        component: `scheduler.${job.name}`,
        updated_at: timers.now(),
        last_success_at: st.lastSuccessAt,
        last_error: st.lastError,
        consecutive_failures: st.consecutiveFailures,
        backlog: { skipped_ticks: st.skippedTicks },
        state,
        interval_ms: state === "running" ? job.everyMs : null,
      });
    } catch (err) {
      opts.log.warn("scheduler: cannot write status", { job: job.name, err });
    }
  }

  async function execute(job: Job, st: JobState): Promise<Outcome> {
    st.running = true;
    schedulerRunning.set({ job: job.name }, 1);
    const ctl = new AbortController();
    const onStop = () => ctl.abort(new Error("scheduler stopped"));
    stopCtl.signal.addEventListener("abort", onStop, { once: true });
    let timeoutId: unknown;
    if (job.timeoutMs) {
      timeoutId = timers.set(
        () => ctl.abort(new Error(`timed out after ${job.timeoutMs} ms`)),
        job.timeoutMs,
      );
    }
    const t0 = performance.now();
    let outcome: Exclude<Outcome, "skipped">;
    try {
      const result = await Promise.race([
        job.run(ctl.signal),
        new Promise<never>((_, reject) => {
          if (ctl.signal.aborted) reject(ctl.signal.reason);
          ctl.signal.addEventListener("abort", () => reject(ctl.signal.reason), { once: true });
        }),
      ]);
      outcome = "ok";
      st.lastResult = result;
      st.lastSuccessAt = timers.now();
      st.consecutiveFailures = 0;
      schedulerLastSuccess.set({ job: job.name }, st.lastSuccessAt / 1000);
      opts.log.info("scheduler: run ok", { job: job.name, ms: Math.round(performance.now() - t0) });
    } catch (err) {
      outcome = "error";
      const message = redact(((err as Error)?.message ?? String(err)).split("\n")[0]).slice(0, 500);
      st.lastError = { at: timers.now(), message };
      st.consecutiveFailures++;
      lastErrorTimestamp.set({ component: `scheduler.${job.name}` }, st.lastError.at / 1000);
      opts.log.error("scheduler: run failed", { job: job.name, error: message });
    } finally {
      if (timeoutId !== undefined) timers.clear(timeoutId);
      stopCtl.signal.removeEventListener("abort", onStop);
    }
    st.runs++;
    st.running = false;
    st.skippedTicks = 0;
    schedulerRunning.set({ job: job.name }, 0);
    schedulerRuns.inc({ job: job.name, outcome });
    schedulerDuration.observe({ job: job.name }, (performance.now() - t0) / 1000);
    try {
      await opts.onRun?.(job.name, outcome, st);
    } catch (err) {
      opts.log.warn("scheduler: onRun hook failed", { job: job.name, err });
    }
    await persist(job, st, stopped ? "stopped" : "running");
    return outcome;
  }

  function trigger(name: string): Promise<Outcome> {
    const job = jobs.get(name);
    const st = states.get(name);
    if (!job || !st) return Promise.reject(new Error(`scheduler: no job ${JSON.stringify(name)}`));
    if (stopped) return Promise.resolve("skipped");
    if (inflight.has(name)) {
      st.skippedTicks++;
      schedulerRuns.inc({ job: name, outcome: "skipped" });
      queueBacklog.set({ queue: `scheduler.${name}.skipped_ticks` }, st.skippedTicks);
      opts.log.warn("scheduler: previous run still going, tick skipped", {
        job: name,
        skipped: st.skippedTicks,
      });
      return Promise.resolve("skipped");
    }
    const p = execute(job, st).finally(() => inflight.delete(name));
    inflight.set(name, p);
    return p;
  }

  function arm(job: Job): void {
    if (stopped) return;
    const st = states.get(job.name)!;
    const now = timers.now();
    st.nextRunAt = nextTick(now, job.everyMs, align);
    timerIds.set(
      job.name,
      timers.set(() => {
        timerIds.delete(job.name);
        trigger(job.name).catch(() => {});
        arm(job);
      }, Math.max(0, st.nextRunAt - now)),
    );
  }

  return {
    start() {
      if (started) throw new Error("scheduler: already started");
      started = true;
      for (const job of opts.jobs) {
        if (opts.runAtStart ?? true) trigger(job.name).catch(() => {});
        arm(job);
      }
    },
    trigger,
    state(name) {
      const st = states.get(name);
      if (!st) throw new Error(`scheduler: no job ${JSON.stringify(name)}`);
      return { ...st };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const id of timerIds.values()) timers.clear(id);
      timerIds.clear();
      stopCtl.abort();
      await Promise.allSettled([...inflight.values()]);
      for (const job of opts.jobs) await persist(job, states.get(job.name)!, "stopped");
    },
  };
}
