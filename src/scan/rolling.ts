import type { GatesConfig } from "../config/sections/gates.ts";
import type { RegimeConfig } from "../config/sections/regime.ts";
import { closedCount, HOUR } from "../factors/bars.ts";
import { rankScan, type SymbolSeries } from "./engine.ts";
import { packSeries } from "./shared_series.ts";

/**
 * The scanner over many as-of times (a backtest's steps, a rolling benchmark): one scan per step, each on
 * the bars closed by its time. Steps are independent — the engine's rolling memos make a scan's output the
 * same bit for bit whatever ran before it (tests/factors/rolling_memo_test.ts) — so `rollingScans` splits
 * them into contiguous blocks, one per worker (src/scan/rolling_worker.ts), each worker scanning its block in
 * order with its memos carried from step to step; the bars go to the workers once, in shared memory
 * (shared_series.ts). With one worker, or few steps, everything runs here, through the same `scanSteps`.
 */

/** What a step keeps of its scan: the rows that could be entered, in rank order. */
export interface StepPicks {
  /** The step's as-of (and decision) time. */
  t: number;
  /** Rows the scan ranked (0: no data at that step). */
  ranked: number;
  picks: { symbol: string; venue: string; rank: number; score: number; passed: boolean }[];
}

export interface RollingJob {
  steps: readonly number[];
  gates: GatesConfig;
  regime: RegimeConfig;
  /** scan.lookback_hours: a symbol whose newest closed bar is older is not scanned at that step (as `scan`). */
  lookbackHours: number;
  /** "gates": the rows that passed every gate; "top": the best rows whatever the gates said. */
  entry: "gates" | "top";
  /** At most this many picks per step. */
  top: number;
}

/** The series a scan at `t` sees: those with a closed bar inside the lookback (others are not read by `scan`). */
export function seriesAt(series: readonly SymbolSeries[], t: number, lookbackHours: number): SymbolSeries[] {
  return series.filter((s) => {
    const n = closedCount(s.bars.ts, t);
    return n > 0 && s.bars.ts[n - 1] >= t - lookbackHours * HOUR;
  });
}

/**
 * One step: the scan as of `t` (deciding at `t`) and its picks — the rows of `runScan`'s results that the
 * entry rule takes, in rank order. Only the rows read are explained (gates, premove: `rankScan`): the top
 * `top` for "top", rows down the ranking until `top` passed for "gates".
 */
export function scanStep(
  series: readonly SymbolSeries[],
  t: number,
  job: Omit<RollingJob, "steps">,
): StepPicks {
  const window = seriesAt(series, t, job.lookbackHours);
  if (window.length === 0) return { t, ranked: 0, picks: [] };
  const ranked = rankScan({ asOf: t, series: window, decisionTs: t, gates: job.gates, regime: job.regime });
  const picks: StepPicks["picks"] = [];
  for (let k = 0; k < ranked.count && picks.length < job.top; k++) {
    const r = ranked.row(k);
    if (job.entry === "top" || r.passed) {
      picks.push({ symbol: r.symbol, venue: r.venue, rank: r.rank, score: r.score, passed: r.passed });
    }
  }
  return { t, ranked: ranked.count, picks };
}

/** Every step of `job` in order, here; `onStep(k)` after the k-th (1-based). */
export function scanSteps(
  series: readonly SymbolSeries[],
  job: RollingJob,
  onStep?: (done: number) => void,
  signal?: AbortSignal,
): StepPicks[] {
  const out: StepPicks[] = [];
  for (const t of job.steps) {
    signal?.throwIfAborted();
    out.push(scanStep(series, t, job));
    onStep?.(out.length);
  }
  return out;
}

export interface RollingOptions {
  /** Exactly this many threads (1: here); default `workerCount` of the job. */
  workers?: number;
  /** Steps done so far, of all (progress; from each worker at most every 250 ms). */
  onStep?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /** A worker silent this long (no progress, no result) is taken for dead: the job fails (default 120 s). */
  stallMs?: number;
}

/**
 * Symbol-steps (symbols scanned × steps) below which a worker does not pay for itself: starting one loads the
 * engine (~0.2–0.5 s here) and the scans it takes over must outweigh that (~30 µs a symbol-step here, so
 * 50,000 ≈ 1.5 s of work). Measured: 5 symbols × 4,344 steps ran 1.7× slower on 2 workers than on 1 thread.
 */
export const MIN_WORK_PER_WORKER = 50_000;

/**
 * How many threads a job of `steps` steps over `symbols` series gets: at most `max` (default: the machine's
 * cores), never more than the cores (the scans are CPU-bound: more threads only add memory), and only as
 * many as there are blocks of MIN_WORK_PER_WORKER symbol-steps.
 */
export function workerCount(steps: number, symbols: number, max?: number): number {
  const cores = Math.max(1, navigator.hardwareConcurrency || 1);
  if (max !== undefined && (!Number.isInteger(max) || max < 1)) {
    throw new RangeError(`workers: expected an integer ≥ 1, found ${max}`);
  }
  const byWork = Math.floor((steps * symbols) / MIN_WORK_PER_WORKER);
  return Math.max(1, Math.min(max ?? cores, cores, byWork));
}

/** Messages of src/scan/rolling_worker.ts. */
export type WorkerReply =
  | { kind: "progress"; done: number }
  | { kind: "done"; scans: StepPicks[] }
  | { kind: "error"; message: string };

/**
 * The scans of every step of `job`, in step order: the same as `scanSteps`, on `opts.workers` threads. Every
 * worker is terminated when the promise settles — done, failed (a worker's error, a message that cannot be
 * read, a worker silent for `stallMs`) or aborted.
 */
export async function rollingScans(
  series: readonly SymbolSeries[],
  job: RollingJob,
  opts: RollingOptions = {},
): Promise<StepPicks[]> {
  const total = job.steps.length;
  const asked = opts.workers ?? workerCount(total, series.length);
  if (!Number.isInteger(asked) || asked < 1) {
    throw new RangeError(`workers: expected an integer ≥ 1, found ${asked}`);
  }
  const n = Math.min(asked, Math.max(1, total)); // no empty block
  if (n === 1) return scanSteps(series, job, (done) => opts.onStep?.(done, total), opts.signal);
  opts.signal?.throwIfAborted();
  const packed = packSeries(series);
  const blocks: number[][] = [];
  for (let w = 0; w < n; w++) {
    blocks.push(job.steps.slice(Math.floor((w * total) / n), Math.floor(((w + 1) * total) / n)));
  }
  const done = new Array<number>(n).fill(0);
  const workers: Worker[] = [];
  const stallMs = opts.stallMs ?? 120_000;
  let onAbort: (() => void) | undefined;
  let watchdog: ReturnType<typeof setInterval> | undefined;
  try {
    const parts = await new Promise<StepPicks[][]>((resolve, reject) => {
      const results: StepPicks[][] = new Array(n);
      let left = n;
      const heard = new Array<number>(n).fill(performance.now());
      onAbort = () => reject(opts.signal!.reason);
      opts.signal?.addEventListener("abort", onAbort, { once: true });
      watchdog = setInterval(() => {
        const now = performance.now();
        const w = heard.findIndex((t, k) => results[k] === undefined && now - t > stallMs);
        if (w >= 0) {
          reject(
            new Error(`scan worker ${w + 1}/${n}: no progress for ${Math.round(stallMs / 1000)} s; stopped`),
          );
        }
      }, Math.min(1000, stallMs));
      blocks.forEach((steps, w) => {
        const worker = new Worker(new URL("./rolling_worker.ts", import.meta.url).href, { type: "module" });
        workers.push(worker);
        worker.onmessage = (e: MessageEvent<WorkerReply>) => {
          heard[w] = performance.now();
          const m = e.data;
          if (m.kind === "progress") {
            done[w] = m.done;
            opts.onStep?.(done.reduce((a, b) => a + b, 0), total);
          } else if (m.kind === "done") {
            results[w] = m.scans;
            done[w] = steps.length;
            opts.onStep?.(done.reduce((a, b) => a + b, 0), total);
            if (--left === 0) resolve(results);
          } else {
            reject(new Error(`scan worker ${w + 1}/${n}: ${m.message}`));
          }
        };
        worker.onmessageerror = () =>
          reject(new Error(`scan worker ${w + 1}/${n}: a message could not be read`));
        worker.onerror = (e) => {
          e.preventDefault();
          reject(new Error(`scan worker ${w + 1}/${n}: ${e.message}`));
        };
        worker.postMessage({ series: packed, job: { ...job, steps } });
      });
    });
    return parts.flat();
  } finally {
    clearInterval(watchdog);
    if (onAbort) opts.signal?.removeEventListener("abort", onAbort);
    for (const w of workers) w.terminate();
  }
}
