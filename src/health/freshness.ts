/**
 * Pure freshness math (no I/O): how old a tier's newest data is and whether that is acceptable.
 * Ages are measured from `now`; data stamped in the future (clock skew, bad rows) counts as age 0 and is
 * reported, because a tier that looks "fresh" only through a future timestamp is not healthy evidence.
 */
export interface FreshnessVerdict {
  tier: string;
  ok: boolean;
  /** Age of the newest data in ms (null when the tier is empty). */
  ageMs: number | null;
  maxAgeMs: number;
  reason: string;
}

export function formatAge(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s}s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m}m`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.round(h / 24)}d`;
}

/** Judges one tier: empty → ok unless required; older than maxAgeMs → stale; else fresh. */
export function judgeFreshness(
  tier: string,
  newestTs: number | null,
  nowMs: number,
  maxAgeMs: number,
  required: boolean,
): FreshnessVerdict {
  if (newestTs === null) {
    return {
      tier,
      ok: !required,
      ageMs: null,
      maxAgeMs,
      reason: required
        ? `${tier} tier has no data (required by health.require_tiers)`
        : `${tier} tier: no data`,
    };
  }
  const raw = nowMs - newestTs;
  if (raw < 0) {
    return {
      tier,
      ok: false,
      ageMs: 0,
      maxAgeMs,
      reason: `${tier} tier newest ts ${new Date(newestTs).toISOString()} is ${
        formatAge(-raw)
      } in the future`,
    };
  }
  if (raw > maxAgeMs) {
    return {
      tier,
      ok: false,
      ageMs: raw,
      maxAgeMs,
      reason: `${tier} data stale: newest ${new Date(newestTs).toISOString()} is ${formatAge(raw)} old (max ${
        formatAge(maxAgeMs)
      })`,
    };
  }
  return { tier, ok: true, ageMs: raw, maxAgeMs, reason: `${tier} data ${formatAge(raw)} old` };
}

/** The newest ts among values (null for none). */
export function newest(values: Iterable<number | null | undefined>): number | null {
  let best: number | null = null;
  for (const v of values) {
    if (typeof v === "number" && Number.isFinite(v) && (best === null || v > best)) best = v;
  }
  return best;
}
