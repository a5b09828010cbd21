/**
 * Gap accounting for one symbol's bar series (pure). Feed consecutive ts in ascending order; the bar
 * interval is the most common step; gaps = bars missing between the first and the last bar.
 */
export interface GapTally {
  rows: number;
  minTs: number | null;
  maxTs: number | null;
  last: number | null;
  /** step (ms) → how many times it occurred */
  steps: Map<number, number>;
}

export function newGapTally(): GapTally {
  return { rows: 0, minTs: null, maxTs: null, last: null, steps: new Map() };
}

export function addTs(t: GapTally, ts: number): void {
  t.rows++;
  if (t.minTs === null || ts < t.minTs) t.minTs = ts;
  if (t.maxTs === null || ts > t.maxTs) t.maxTs = ts;
  if (t.last !== null && ts > t.last) {
    const step = ts - t.last;
    t.steps.set(step, (t.steps.get(step) ?? 0) + 1);
  }
  t.last = ts;
}

/** The bar interval (most common step; the smaller on ties), or null with fewer than two bars. */
export function barInterval(t: GapTally): number | null {
  let best: number | null = null;
  let bestCount = 0;
  for (const [step, count] of t.steps) {
    if (count > bestCount || (count === bestCount && best !== null && step < best)) {
      best = step;
      bestCount = count;
    }
  }
  return best;
}

/** Missing bars: for every step longer than the interval, step/interval − 1 bars are missing. */
export function missingBars(t: GapTally): number {
  const interval = barInterval(t);
  if (interval === null) return 0;
  let missing = 0;
  for (const [step, count] of t.steps) {
    if (step > interval) missing += count * Math.max(0, Math.round(step / interval) - 1);
  }
  return missing;
}
