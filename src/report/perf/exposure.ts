/** Exposure-based statistics of a list of trades over a window. */

export interface TradeSpan {
  /** Entry and exit times (epoch ms), exit ≥ entry. */
  entryTs: number;
  exitTs: number;
  /** The trade's return (after costs when the caller says so). */
  ret: number;
  /** Notional traded at entry (quote currency); default 1. */
  notional?: number;
}

const held = (t: TradeSpan) => Math.max(0, t.exitTs - t.entryTs);

/**
 * Exposure-weighted return: Σ rᵢ·hᵢ / Σ hᵢ, each trade's return weighted by its time in market hᵢ; NaN when no
 * trade was held for any time.
 */
export function exposureWeightedReturn(trades: readonly TradeSpan[]): number {
  let num = 0;
  let den = 0;
  for (const t of trades) {
    num += t.ret * held(t);
    den += held(t);
  }
  return den === 0 ? NaN : num / den;
}

/** Average hold: Σ(exitᵢ − entryᵢ) / n in ms; NaN with no trade. */
export function averageHoldMs(trades: readonly TradeSpan[]): number {
  if (trades.length === 0) return NaN;
  return trades.reduce((a, t) => a + held(t), 0) / trades.length;
}

/**
 * Exposure: the fraction of the window [from, to) during which at least one position was open (the union of
 * the trades' [entry, exit) intervals clipped to the window, divided by to − from).
 */
export function exposure(trades: readonly TradeSpan[], from: number, to: number): number {
  if (!(to > from)) return NaN;
  const iv = trades.map((t) => [Math.max(from, t.entryTs), Math.min(to, t.exitTs)] as const)
    .filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  let total = 0;
  let curA = -Infinity;
  let curB = -Infinity;
  for (const [a, b] of iv) {
    if (a > curB) {
      if (curB > curA) total += curB - curA;
      curA = a;
      curB = b;
    } else if (b > curB) curB = b;
  }
  if (curB > curA) total += curB - curA;
  return total / (to - from);
}

/**
 * Turnover per year: Σ 2·notionalᵢ (each trade bought then sold) / capital, scaled to a year
 * (· 365 days / window length in days). With equal stakes of 1 and capital 1 it is round trips × 2 per year.
 */
export function turnoverPerYear(
  trades: readonly TradeSpan[],
  from: number,
  to: number,
  capital = 1,
): number {
  if (!(to > from) || !(capital > 0)) return NaN;
  const traded = trades.reduce((a, t) => a + 2 * (t.notional ?? 1), 0);
  const days = (to - from) / 86_400_000;
  return (traded / capital) * (365 / days);
}
