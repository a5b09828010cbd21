/**
 * Series helpers shared by the metrics, with empyrical's conventions: NaN marks a missing period, skipped by
 * means and standard deviations (numpy nanmean/nanstd), counted as a 0 return when compounding (cum_returns).
 */

/** Arithmetic mean of the non-NaN values: Σx / n over non-NaN x (NaN when there are none). */
export function nanMean(xs: ArrayLike<number>): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (!Number.isNaN(x)) {
      s += x;
      n++;
    }
  }
  return n === 0 ? NaN : s / n;
}

/** Sample standard deviation of the non-NaN values: √(Σ(x − x̄)² / (n − ddof)), ddof = 1 by default. */
export function nanStd(xs: ArrayLike<number>, ddof = 1): number {
  const m = nanMean(xs);
  let ss = 0;
  let n = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (!Number.isNaN(x)) {
      ss += (x - m) ** 2;
      n++;
    }
  }
  return n - ddof <= 0 ? NaN : Math.sqrt(ss / (n - ddof));
}

/** Cumulative wealth Wₜ = start · Π₍ᵢ≤ₜ₎(1 + rᵢ), a NaN return counted as 0 (empyrical cum_returns). */
export function cumWealth(returns: ArrayLike<number>, start = 1): number[] {
  const out = new Array<number>(returns.length);
  let w = start;
  for (let i = 0; i < returns.length; i++) {
    const r = returns[i];
    w *= 1 + (Number.isNaN(r) ? 0 : r);
    out[i] = w;
  }
  return out;
}

/** Total compounded return Π(1 + rᵢ) − 1, NaN counted as 0 (empyrical cum_returns_final); NaN when empty. */
export function totalReturn(returns: ArrayLike<number>): number {
  if (returns.length === 0) return NaN;
  const w = cumWealth(returns);
  return w[w.length - 1] - 1;
}
