import { backOff } from "exponential-backoff";
import type { PersistenceConfig } from "../config/sections/persistence.ts";
import { dbOperations, latency } from "../metrics/registry.ts";
import { DbError, isTransient, toDbError } from "./db_error.ts";
import type { CallOptions } from "./types.ts";
import { InputError, show } from "../util/errors.ts";
import { MAX_TIMER_MS } from "../util/time.ts";

/** Timeout and retry policy of every repository call. */
export interface CallPolicy {
  timeoutMs: number;
  /** Retries after the first attempt, on transient errors only. */
  maxRetries: number;
  /** Backoff: full jitter in [0, min(maxDelayMs, baseDelayMs·2^n)]. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export function policyFrom(cfg: PersistenceConfig): CallPolicy {
  return { timeoutMs: cfg.timeout_ms, maxRetries: cfg.max_retries, baseDelayMs: 100, maxDelayMs: 2_000 };
}

/** What one attempt of a call gets: the call's signal and a way to cancel running queries on abort. */
export interface Attempt {
  signal: AbortSignal;
  /** 1 for the first attempt, 2 for the first retry, … */
  n: number;
  /** Registers a query (anything with `cancel()`) to be cancelled when the call is aborted or times out. */
  track<Q extends { cancel(): unknown }>(q: Q): Q;
}

function abortPromise(signal: AbortSignal): { promise: Promise<never>; dispose(): void } {
  let onAbort: () => void = () => {};
  const promise = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  promise.catch(() => {});
  return { promise, dispose: () => signal.removeEventListener("abort", onAbort) };
}

/**
 * Runs one repository call: a deadline (opts.timeoutMs or the policy's) and the caller's AbortSignal for the
 * whole call, retries with exponential backoff and full jitter (npm:exponential-backoff) on transient errors
 * only, metrics per outcome, and errors rendered as DbError naming the call, SQLSTATE, constraint and column.
 * `fn` must be safe to re-run (every write path is idempotent by key or runs in one transaction).
 */
export async function runCall<T>(
  repo: string,
  op: string,
  policy: CallPolicy,
  opts: CallOptions | undefined,
  fn: (a: Attempt) => Promise<T>,
): Promise<T> {
  const what = `${repo}.${op}`;
  // Every outcome of this call has a series (0 until it happens), so rate() sees the first retry or error.
  for (const outcome of ["ok", "retry", "error"]) dbOperations.inc({ repo, op, outcome }, 0);
  const timeoutMs = opts?.timeoutMs ?? policy.timeoutMs;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_TIMER_MS) {
    // A longer delay overflows setTimeout, which then fires at once: the call would time out immediately.
    throw new InputError(
      `${what}: timeoutMs: expected an integer from 1 to ${MAX_TIMER_MS} ms, found ${
        typeof timeoutMs === "number" ? timeoutMs : show(timeoutMs)
      }`,
    );
  }
  const ctl = new AbortController();
  const outer = opts?.signal;
  if (outer?.aborted) throw toDbError(what, new DOMException(`${what}: aborted`, "AbortError"), 0);
  const onOuter = () => ctl.abort(new DOMException(`${what}: aborted`, "AbortError"));
  outer?.addEventListener("abort", onOuter, { once: true });
  const timer = setTimeout(
    () => ctl.abort(new DbError(`${what}: timed out after ${timeoutMs} ms`, "TIMEOUT", false, 0)),
    timeoutMs,
  );
  const t0 = performance.now();
  let attempts = 0;
  try {
    const result = await backOff(async () => {
      attempts++;
      ctl.signal.throwIfAborted();
      const cancels = new Set<() => void>();
      const onAbort = () => cancels.forEach((c) => c());
      ctl.signal.addEventListener("abort", onAbort);
      const ab = abortPromise(ctl.signal);
      try {
        const work = fn({
          signal: ctl.signal,
          n: attempts,
          track(q) {
            cancels.add(() => void q.cancel());
            return q;
          },
        });
        work.catch(() => {});
        return await Promise.race([work, ab.promise]);
      } finally {
        ab.dispose();
        ctl.signal.removeEventListener("abort", onAbort);
      }
    }, {
      numOfAttempts: policy.maxRetries + 1,
      startingDelay: policy.baseDelayMs,
      maxDelay: policy.maxDelayMs,
      timeMultiple: 2,
      jitter: "full",
      retry: (err) => {
        const again = !ctl.signal.aborted && isTransient(err);
        if (again) dbOperations.inc({ repo, op, outcome: "retry" });
        return again;
      },
    });
    dbOperations.inc({ repo, op, outcome: "ok" });
    return result;
  } catch (err) {
    dbOperations.inc({ repo, op, outcome: "error" });
    // A timeout or an abort wins over whatever error the cancelled query raised.
    throw toDbError(what, ctl.signal.aborted ? ctl.signal.reason : err, attempts);
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener("abort", onOuter);
    latency.observe({ component: `db.${repo}` }, (performance.now() - t0) / 1000);
  }
}
