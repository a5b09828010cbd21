import {
  BrokenCircuitError,
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  DelegateBackoff,
  handleWhen,
  retry,
  wrap,
} from "cockatiel";
import { circuitState, providerRequests } from "../metrics/metrics.ts";
import { type BreakerState, recordBreaker } from "./breaker_states.ts";
import { type GetJson, HttpStatusError } from "./derivs_http.ts";

/**
 * Retry with backoff and jitter under a circuit breaker per provider endpoint (npm:cockatiel; spec C2.4).
 * Transient failures — HTTP 5xx and 429, timeouts, network errors — are retried up to `maxRetries` times with
 * exponential backoff and full jitter; a 429's Retry-After is honoured instead (capped at `maxRetryAfterMs`).
 * A call whose retries all failed counts as one failure of its endpoint's breaker; after `failures`
 * consecutive ones the breaker opens and calls fail at once ("circuit open") for `halfOpenMs`, then one
 * probe goes through (half-open): success closes it, failure opens it again. Bad answers (4xx other than
 * 429, HTML, bad JSON) are the caller's errors: never retried, never counted. State per endpoint in
 * cryptorun_circuit_state{provider,endpoint} (0 closed, 1 open, 2 half-open) and in `health`.
 */
export interface ResilienceOptions {
  provider: string;
  failures: number;
  halfOpenMs: number;
  maxRetries: number;
  /** First backoff ceiling (ms, default 250); doubles per attempt up to maxDelayMs (default 10 s). */
  initialDelayMs?: number;
  maxDelayMs?: number;
  maxRetryAfterMs?: number;
  random?: () => number;
}

/** Whether an error is worth retrying (and counts toward the breaker). */
export function isTransient(err: unknown): boolean {
  if (err instanceof HttpStatusError) return err.status === 429 || err.status >= 500;
  const name = (err as Error)?.name;
  if (name === "TimeoutError") return true;
  if (name === "AbortError") return false; // the caller gave up: not the venue's fault
  return err instanceof TypeError; // fetch: network failure
}

const STATE: Record<number, BreakerState> = {
  [CircuitState.Closed]: "closed",
  [CircuitState.Open]: "open",
  [CircuitState.HalfOpen]: "half_open",
  [CircuitState.Isolated]: "open",
};
const GAUGE: Record<BreakerState, number> = { closed: 0, open: 1, half_open: 2 };

/** The delay before retry `attempt` (1-based): Retry-After for a 429 that gives one, else full jitter. */
export function backoffMs(err: unknown, attempt: number, o: ResilienceOptions): number {
  if (err instanceof HttpStatusError && err.status === 429 && err.retryAfterSec !== undefined) {
    return Math.min(err.retryAfterSec * 1000, o.maxRetryAfterMs ?? 120_000);
  }
  const ceiling = Math.min(o.maxDelayMs ?? 10_000, (o.initialDelayMs ?? 250) * 2 ** (attempt - 1));
  return Math.floor((o.random ?? Math.random)() * ceiling);
}

export interface ResilientGet extends GetJson {
  /** An endpoint's breaker state (closed until first used). */
  state(endpoint: string): BreakerState;
}

/** Wraps `get` with retry and one circuit breaker per endpoint name. */
export function resilient(get: GetJson, o: ResilienceOptions): ResilientGet {
  const policies = new Map<
    string,
    { run: ReturnType<typeof wrap>; breaker: ReturnType<typeof circuitBreaker> }
  >();
  const transient = handleWhen(isTransient);
  const policyFor = (endpoint: string) => {
    let p = policies.get(endpoint);
    if (p) return p;
    const breaker = circuitBreaker(transient, {
      halfOpenAfter: o.halfOpenMs,
      breaker: new ConsecutiveBreaker(o.failures),
    });
    const retrier = retry(transient, {
      maxAttempts: o.maxRetries,
      backoff: new DelegateBackoff((ctx) =>
        backoffMs("error" in ctx.result ? ctx.result.error : undefined, ctx.attempt, o)
      ),
    });
    let lastError: string | undefined;
    const publish = (s: CircuitState) => {
      const state = STATE[s];
      circuitState.set({ provider: o.provider, endpoint }, GAUGE[state]);
      recordBreaker({
        provider: o.provider,
        endpoint,
        state,
        since: Date.now(),
        lastError: state === "open" ? lastError : undefined,
      });
    };
    breaker.onFailure((f) => {
      if ("error" in f.reason) lastError = (f.reason.error as Error).message;
    });
    breaker.onStateChange(publish);
    publish(CircuitState.Closed);
    p = { run: wrap(breaker, retrier), breaker };
    policies.set(endpoint, p);
    return p;
  };
  const call: GetJson = async (url, endpoint, signal, postBody) => {
    const p = policyFor(endpoint);
    try {
      const body = await p.run.execute(async () => {
        try {
          const b = await get(url, endpoint, signal, postBody);
          providerRequests.inc({ provider: o.provider, endpoint, code: "200" });
          return b;
        } catch (err) {
          const code = err instanceof HttpStatusError ? String(err.status) : "error";
          providerRequests.inc({ provider: o.provider, endpoint, code });
          throw err;
        }
      }, signal);
      return body;
    } catch (err) {
      if (err instanceof BrokenCircuitError) {
        throw new Error(
          `${o.provider} ${endpoint}: circuit open after ${o.failures} consecutive failures (next probe within ${
            Math.round(o.halfOpenMs / 1000)
          }s)`,
        );
      }
      if (err instanceof TypeError) {
        // fetch's network failure says only "fetch failed": name the venue, the endpoint and the host.
        let host = url;
        try {
          host = new URL(url).host;
        } catch { /* not a URL: shown as is */ }
        const cause = (err as { cause?: unknown }).cause;
        throw new Error(
          `${
            endpoint.startsWith(`${o.provider} `) ? "" : `${o.provider} `
          }${endpoint}: network error reaching ${host}: ` +
            err.message +
            (cause instanceof Error ? ` (${cause.message})` : ""),
        );
      }
      throw err;
    }
  };
  return Object.assign(call, {
    state: (endpoint: string) => STATE[policies.get(endpoint)?.breaker.state ?? 0],
  });
}
