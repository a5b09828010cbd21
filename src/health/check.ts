import type { Config } from "../config/schema.ts";

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
}

/** A health check: pure with respect to its input, except for the I/O it exists to probe. */
export type HealthCheck = (input: HealthInput) => Promise<CheckResult>;

/** Runs every check; one that throws counts as failed with its message. */
export async function runChecks(checks: HealthCheck[], input: HealthInput): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  for (const check of checks) {
    try {
      out.push(await check(input));
    } catch (err) {
      out.push({ name: check.name || "check", ok: false, reason: (err as Error).message });
    }
  }
  return out;
}

/** The single line `OK` or `FAIL: <reason>; <reason>`. */
export function summaryLine(results: CheckResult[]): string {
  const failed = results.filter((r) => !r.ok);
  return failed.length === 0 ? "OK" : `FAIL: ${failed.map((r) => `${r.name}: ${r.reason}`).join("; ")}`;
}
