/** Per-trade statistics. A trade's profit is its return (or absolute P&L); > 0 is a win, < 0 a loss. */

/** Hit rate: #(pᵢ > 0) / n over all trades (a 0 profit counts as a trade that did not hit); NaN with none. */
export function hitRate(profits: readonly number[]): number {
  if (profits.length === 0) return NaN;
  return profits.filter((p) => p > 0).length / profits.length;
}

/** Profit factor: Σ(pᵢ > 0) / |Σ(pᵢ < 0)|; +Infinity with wins and no loss, NaN with neither. */
export function profitFactor(profits: readonly number[]): number {
  let gain = 0;
  let loss = 0;
  for (const p of profits) {
    if (p > 0) gain += p;
    else if (p < 0) loss -= p;
  }
  if (loss === 0) return gain > 0 ? Infinity : NaN;
  return gain / loss;
}

/**
 * Expectancy and expectancy ratio (freqtrade calculate_expectancy): with W = wins (p > 0), L = losses (p < 0),
 * n = all trades, w̄ = ΣW/|W|, l̄ = |ΣL|/|L|:
 * expectancy = (|W|/n)·w̄ − (|L|/n)·l̄; ratio = (1 + w̄/l̄)·(|W|/n) − 1, or 100 when there is no loss.
 * No trades: expectancy 0, ratio 100 (freqtrade's values).
 */
export function expectancy(profits: readonly number[]): { expectancy: number; ratio: number } {
  if (profits.length === 0) return { expectancy: 0, ratio: 100 };
  const wins = profits.filter((p) => p > 0);
  const losses = profits.filter((p) => p < 0);
  const avgWin = wins.length ? wins.reduce((a, b) => a + b, 0) / wins.length : 0;
  const avgLoss = losses.length ? Math.abs(losses.reduce((a, b) => a + b, 0)) / losses.length : 0;
  const winRate = wins.length / profits.length;
  const lossRate = losses.length / profits.length;
  const e = winRate * avgWin - lossRate * avgLoss;
  const ratio = avgLoss > 0 ? (1 + avgWin / avgLoss) * winRate - 1 : 100;
  return { expectancy: e, ratio };
}
