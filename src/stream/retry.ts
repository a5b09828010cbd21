import { backOff } from "exponential-backoff";
import type { Logger } from "../log/logger.ts";
import { ConfigError, InputError, UsageError } from "../util/errors.ts";

export interface RetryPolicy {
  /** Attempts in total (first try included). */
  attempts: number;
  /** First delay (ms); doubles each attempt, full jitter, capped at `maxDelayMs`. */
  startMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, startMs: 200, maxDelayMs: 5_000 };

/** Broker/network errors are retried; bad input, bad config and aborts are not. */
export function isRetryable(err: unknown): boolean {
  if (err instanceof InputError || err instanceof ConfigError || err instanceof UsageError) return false;
  if (err instanceof DOMException && (err.name === "AbortError" || err.name === "TimeoutError")) return false;
  return true;
}

/** Runs `fn`, retrying broker errors with exponential backoff (npm:exponential-backoff), logging each retry. */
export function withRetry<T>(
  what: string,
  fn: () => Promise<T>,
  opts: { policy?: RetryPolicy; log?: Logger; signal?: AbortSignal } = {},
): Promise<T> {
  const p = opts.policy ?? DEFAULT_RETRY;
  return backOff(fn, {
    numOfAttempts: p.attempts,
    startingDelay: p.startMs,
    maxDelay: p.maxDelayMs,
    timeMultiple: 2,
    jitter: "full",
    retry: (err: unknown, attempt: number) => {
      if (opts.signal?.aborted || !isRetryable(err)) return false;
      opts.log?.warn(`${what} failed; retrying`, { attempt, of: p.attempts, error: (err as Error)?.message });
      return true;
    },
  });
}
