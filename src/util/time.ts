import { UsageError } from "./errors.ts";

/**
 * A closed time window [from, to] in epoch milliseconds (UTC). Both bounds are inclusive everywhere in
 * CryptoRun: PIT reads never return ts > to. Use `fromExclusive`-style arithmetic (to - 1) at call sites
 * that need a half-open window.
 */
export interface TimeRange {
  from: number;
  to: number;
}

const ISO_RE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?(?:Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Parses an ISO-8601 timestamp (a date alone means 00:00 UTC; no zone means UTC) or integer epoch ms.
 * Throws UsageError naming `what` and the value.
 */
export function parseTime(value: string, what: string): number {
  const v = value.trim();
  if (/^-?\d{1,16}$/.test(v)) return Number(v);
  if (!ISO_RE.test(v)) {
    throw new UsageError(`${what}: expected ISO-8601 time or epoch ms, found ${JSON.stringify(value)}`);
  }
  const hasZone = /(?:Z|[+-]\d{2}:?\d{2})$/.test(v);
  const iso = v.length === 10 ? `${v}T00:00:00Z` : hasZone ? v : `${v}Z`;
  const ms = Date.parse(iso.replace(" ", "T"));
  if (!Number.isFinite(ms)) throw new UsageError(`${what}: not a valid time: ${JSON.stringify(value)}`);
  return ms;
}

/** Parses both ends of a window; `from` must not be after `to`. */
export function parseRange(from: string, to: string): TimeRange {
  const r = { from: parseTime(from, "--from"), to: parseTime(to, "--to") };
  if (r.from > r.to) {
    throw new UsageError(`--from ${from} is after --to ${to}`);
  }
  return r;
}

/** Parses durations like 60s, 5m, 4h, 2d, 1500ms (→ milliseconds). */
export function parseDuration(value: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(value.trim());
  if (!m) {
    throw new UsageError(`${what}: expected a duration like 60s, 5m, 4h, found ${JSON.stringify(value)}`);
  }
  const mult = { ms: 1, s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 }[m[2] as "ms" | "s" | "m" | "h" | "d"];
  return Math.round(Number(m[1]) * mult);
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
/**
 * The longest delay `setTimeout`/`setInterval` honour (2^31 - 1 ms, about 24.8 days). A longer one overflows and
 * fires after ~1 ms, so every configured interval or timeout that feeds a timer must stay at or below this.
 */
export const MAX_TIMER_MS = 2_147_483_647;

export function isoMs(ms: number): string {
  return new Date(ms).toISOString();
}

/** UTC day string YYYY-MM-DD of an epoch-ms time. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
