import { boundedSymbol, l2SnapshotAge } from "../metrics/metrics.ts";
import type { CheckResult, HealthInput } from "./check.ts";
import { formatAge } from "./freshness.ts";
import type { HotSnapshot } from "./sources.ts";

export interface ProviderVerdict {
  ok: boolean;
  reason: string;
  books: number;
  stale: string[];
  checksumFailures: number;
  resyncs: number;
}

/**
 * Pure: judges a venue's books. Fails when every book is stale (the feed stopped) or the checksum failures
 * exceed the limit (the feed is corrupt); a few stale books are reported, not failed (illiquid pairs).
 */
export function judgeProvider(
  venue: string,
  snaps: Iterable<HotSnapshot>,
  nowMs: number,
  maxAgeMs: number,
  maxChecksumFailures: number,
): ProviderVerdict {
  const list = [...snaps];
  const stale = list.filter((s) => nowMs - s.ts > maxAgeMs).map((s) => s.symbol).sort();
  const checksumFailures = list.reduce((a, s) => a + (s.checksum_failed ?? 0), 0);
  const resyncs = list.reduce((a, s) => a + (s.resyncs ?? 0), 0);
  const base = { books: list.length, stale, checksumFailures, resyncs };
  if (list.length === 0) return { ok: true, reason: `${venue}: no books recorded`, ...base };
  if (checksumFailures > maxChecksumFailures) {
    return {
      ok: false,
      reason: `${venue}: ${checksumFailures} book checksum failures (max ${maxChecksumFailures})`,
      ...base,
    };
  }
  if (stale.length === list.length) {
    const newestTs = Math.max(...list.map((s) => s.ts));
    return {
      ok: false,
      reason: `${venue}: all ${list.length} books stale (newest ${formatAge(nowMs - newestTs)} old, max ${
        formatAge(maxAgeMs)
      })`,
      ...base,
    };
  }
  return {
    ok: true,
    reason:
      `${venue}: ${list.length} books, ${stale.length} stale, ${checksumFailures} checksum failures, ${resyncs} resyncs`,
    ...base,
  };
}

/** Provider health from the hot tier: book ages, checksum failures, resyncs of the scan venue. */
export async function providerCheck(input: HealthInput): Promise<CheckResult> {
  const name = "provider";
  const venue = input.config.scan.venue;
  const now = input.now.getTime();
  const snaps = await input.sources.hotSnapshots(venue, now);
  if (snaps === null) return { name, ok: true, reason: `${venue}: hot tier not part of this build` };
  for (const s of snaps.values()) {
    l2SnapshotAge.set({ provider: venue, symbol: boundedSymbol(s.symbol) }, Math.max(0, now - s.ts) / 1000);
  }
  const h = input.config.health;
  const v = judgeProvider(venue, snaps.values(), now, h.hot_max_age_ms, h.max_checksum_failures);
  return {
    name,
    ok: v.ok,
    reason: v.reason,
    details: {
      venue,
      books: v.books,
      stale: v.stale.slice(0, 50),
      checksum_failures: v.checksumFailures,
      resyncs: v.resyncs,
    },
  };
}
