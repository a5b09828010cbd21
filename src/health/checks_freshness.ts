import { dataAge, replicationLag } from "../metrics/metrics.ts";
import type { CheckResult, HealthInput } from "./check.ts";
import { judgeFreshness, newest } from "./freshness.ts";

/** Sets the per-tier age gauges (one region: replication lag = data age of the tier). */
function recordAge(tier: string, source: string, ageMs: number | null): void {
  if (ageMs === null) return;
  dataAge.set({ tier }, ageMs / 1000);
  replicationLag.set({ tier, region: "local", source }, ageMs / 1000);
}

/** Hot tier: the newest verified book snapshot of the scan venue (PIT: ts <= now) is recent enough. */
export async function freshnessHotCheck(input: HealthInput): Promise<CheckResult> {
  const name = "freshness_hot";
  const venue = input.config.scan.venue;
  const now = input.now.getTime();
  const snaps = await input.sources.hotSnapshots(venue, now);
  const required = input.config.health.require_tiers.includes("hot");
  if (snaps === null) {
    return {
      name,
      ok: !required,
      reason: required ? "hot tier required but not part of this build" : "hot tier not part of this build",
    };
  }
  const newestTs = newest([...snaps.values()].map((s) => s.ts));
  const v = judgeFreshness("hot", newestTs, now, input.config.health.hot_max_age_ms, required);
  recordAge("hot", venue, v.ageMs);
  return {
    name,
    ok: v.ok,
    reason: v.reason,
    details: { venue, symbols: snaps.size, newest_ts: newestTs, age_ms: v.ageMs, max_age_ms: v.maxAgeMs },
  };
}

/**
 * Warm tier: the newest stored REST response of the scan venue. Informational unless `health.require_tiers`
 * lists warm: the warm tier is a fallback refreshed on use (a live read that reaches it refetches anything
 * older than its TTL), so an old newest entry only means nothing needed it lately (PIT: a response fetched
 * after `now` is not listed). Sets cryptorun_data_age_seconds{tier="warm"}; the warm tier's replication lag
 * is the data door's (the age of the copies it actually reads).
 */
export async function freshnessWarmCheck(input: HealthInput): Promise<CheckResult> {
  const name = "freshness_warm";
  const venue = input.config.scan.venue;
  const now = input.now.getTime();
  const required = input.config.health.require_tiers.includes("warm");
  const warm = await input.sources.warmEntries(venue, now, input.signal);
  if (warm === null) {
    return {
      name,
      ok: !required,
      reason: required ? "warm tier required but no warm source is configured" : "warm tier not configured",
    };
  }
  const maxAgeMs = input.config.tiers.warm_max_age_ms;
  const v = judgeFreshness("warm", warm.newestTs, now, maxAgeMs, required);
  if (v.ageMs !== null) dataAge.set({ tier: "warm" }, v.ageMs / 1000);
  return {
    name,
    ok: v.ok || !required,
    reason: v.ok || required
      ? v.reason
      : `${v.reason}; informational (health.require_tiers does not list warm)`,
    details: {
      venue,
      sources: warm.sources,
      entries: warm.entries,
      newest_ts: warm.newestTs,
      age_ms: v.ageMs,
      max_age_ms: maxAgeMs,
    },
  };
}

/** Cold tier: the newest OHLCV bar (bar open) is recent enough; gaps per symbol are reported. */
export async function freshnessColdCheck(input: HealthInput): Promise<CheckResult> {
  const name = "freshness_cold";
  const stats = await input.sources.coldStats(input.signal);
  const now = input.now.getTime();
  const required = input.config.health.require_tiers.includes("cold");
  const v = judgeFreshness("cold", stats.maxTs, now, input.config.health.cold_max_age_ms, required);
  recordAge("cold", "ohlcv", v.ageMs);
  const gaps = Object.values(stats.perSymbol).reduce((a, s) => a + (s.gaps ?? 0), 0);
  return {
    name,
    ok: v.ok,
    reason: v.reason +
      (stats.rows > 0 ? ` (${stats.rows} rows, ${Object.keys(stats.perSymbol).length} symbols)` : ""),
    details: {
      rows: stats.rows,
      symbols: Object.keys(stats.perSymbol).length,
      newest_ts: stats.maxTs,
      age_ms: v.ageMs,
      max_age_ms: v.maxAgeMs,
      gaps,
    },
  };
}
