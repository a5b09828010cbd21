import type { CheckResult, HealthInput } from "./check.ts";

/** The configured database answers a ping (embedded PGlite or a real PostgreSQL); skipped when disabled. */
export async function databaseCheck(input: HealthInput): Promise<CheckResult> {
  const name = "database";
  const p = input.config.persistence;
  if (!p.enabled) return { name, ok: true, reason: "persistence disabled", details: { enabled: false } };
  const t0 = performance.now();
  try {
    const note = await input.sources.pingDatabase(input.signal);
    const ms = Math.round(performance.now() - t0);
    const reason = note ? `${p.kind} database ${note}` : `${p.kind} database reachable (${ms} ms)`;
    return { name, ok: true, reason, details: { kind: p.kind, ms } };
  } catch (err) {
    const msg = ((err as Error).message ?? String(err)).split("\n")[0];
    return { name, ok: false, reason: `${p.kind} database unreachable: ${msg}`, details: { kind: p.kind } };
  }
}
