import type { Config } from "../config/schema.ts";
import type { HealthSources } from "./sources.ts";

/** Result of one health check: `ok` or a human reason with the numbers. */
export interface CheckResult {
  name: string;
  ok: boolean;
  /** Why it failed (or a short status when ok). */
  reason: string;
  details?: Record<string, unknown>;
}

export interface HealthInput {
  config: Config;
  dataDir: string;
  now: Date;
  signal: AbortSignal;
  /** Where the checks read stores, the database and component statuses (real adapters or test fakes). */
  sources: HealthSources;
}

/** A health check: pure with respect to its input, except for the I/O it exists to probe. */
export type HealthCheck = (input: HealthInput) => Promise<CheckResult>;

/** Runs `fn` with a signal aborted after `ms` (or when `parent` aborts); the timer is always cleared. */
export async function withTimeout<T>(
  ms: number,
  parent: AbortSignal,
  what: string,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const ctl = new AbortController();
  const onAbort = () => ctl.abort(parent.reason);
  if (parent.aborted) ctl.abort(parent.reason);
  else parent.addEventListener("abort", onAbort, { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new Error(`${what} timed out after ${ms} ms`);
      ctl.abort(err);
      reject(err);
    }, ms);
  });
  try {
    return await Promise.race([fn(ctl.signal), timeout]);
  } finally {
    clearTimeout(timer);
    parent.removeEventListener("abort", onAbort);
  }
}

/** `freshnessHotCheck` → `freshness_hot` (the name a check reports when it throws). */
export function checkName(check: HealthCheck): string {
  return check.name.replace(/Check$/, "").replace(/[A-Z]/g, (c) => "_" + c.toLowerCase()) || "check";
}

/** Runs every check (each under the per-check time limit); one that throws counts as failed with its message. */
export async function runChecks(checks: HealthCheck[], input: HealthInput): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  const limit = input.config.health.check_timeout_ms;
  for (const check of checks) {
    const name = checkName(check);
    try {
      out.push(await withTimeout(limit, input.signal, name, (signal) => check({ ...input, signal })));
    } catch (err) {
      out.push({ name, ok: false, reason: (err as Error).message ?? String(err) });
    }
  }
  return out;
}

/** The single line `OK` or `FAIL: <reason>; <reason>`. */
export function summaryLine(results: CheckResult[]): string {
  const failed = results.filter((r) => !r.ok);
  return failed.length === 0 ? "OK" : `FAIL: ${failed.map((r) => `${r.name}: ${r.reason}`).join("; ")}`;
}
