/**
 * Hit ratio over the last `window` lookups of each tier (pure, no I/O): a lookup is one symbol's read reaching
 * that tier; a hit is that tier serving it fresh (for the warm tier: from a stored entry, without fetching).
 * A sliding window, so the ratio follows recent traffic instead of averaging the process's whole life.
 */
export interface HitRatio {
  /** Records one lookup of `tier`; returns the tier's ratio over its window. */
  record(tier: string, hit: boolean): number;
  /** The tier's ratio, or null before its first lookup. */
  ratio(tier: string): number | null;
  /** Lookups recorded per tier (lifetime). */
  lookups(tier: string): number;
}

export function createHitRatio(window = 1000): HitRatio {
  if (!Number.isInteger(window) || window < 1) throw new RangeError(`window must be ≥ 1, found ${window}`);
  const tiers = new Map<string, { ring: Uint8Array; n: number; hits: number; total: number }>();
  const of = (tier: string) => {
    let t = tiers.get(tier);
    if (!t) tiers.set(tier, t = { ring: new Uint8Array(window), n: 0, hits: 0, total: 0 });
    return t;
  };
  const value = (t: { n: number; hits: number }) => t.hits / Math.min(t.n, window);
  return {
    record(tier, hit) {
      const t = of(tier);
      const slot = t.n % window;
      if (t.n >= window) t.hits -= t.ring[slot];
      t.ring[slot] = hit ? 1 : 0;
      t.hits += t.ring[slot];
      t.n++;
      t.total++;
      return value(t);
    },
    ratio(tier) {
      const t = tiers.get(tier);
      return t ? value(t) : null;
    },
    lookups: (tier) => tiers.get(tier)?.total ?? 0,
  };
}
