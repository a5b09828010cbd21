/** Threshold alerts of a performance report (spec D1.5), pure: metrics in, alerts out. */

export interface Alert {
  /** Dedupe key: rule and subject (`sharpe_below_min`, `pair_corr_above_max:BTC/USD|ETH/USD`). */
  key: string;
  rule: "sharpe_below_min" | "pair_corr_above_max";
  /** One line for people. */
  summary: string;
  value: number;
  threshold: number;
}

/**
 * Sharpe < minSharpe (a NaN Sharpe — too few periods — raises nothing), and every pair of symbols whose
 * correlation is above maxPairCorr (each pair once, names in order).
 */
export function evaluateAlerts(
  sharpe: number,
  names: string[],
  corr: number[][],
  t: { min_sharpe: number; max_pair_corr: number },
): Alert[] {
  const out: Alert[] = [];
  if (Number.isFinite(sharpe) && sharpe < t.min_sharpe) {
    out.push({
      key: "sharpe_below_min",
      rule: "sharpe_below_min",
      summary: `Sharpe ${sharpe.toFixed(3)} is below report.alerts.min_sharpe ${t.min_sharpe}`,
      value: sharpe,
      threshold: t.min_sharpe,
    });
  }
  for (let i = 0; i < names.length; i++) {
    for (let j = i + 1; j < names.length; j++) {
      const c = corr[i][j];
      if (Number.isFinite(c) && c > t.max_pair_corr) {
        out.push({
          key: `pair_corr_above_max:${names[i]}|${names[j]}`,
          rule: "pair_corr_above_max",
          summary: `correlation of ${names[i]} and ${names[j]} is ${
            c.toFixed(3)
          }, above report.alerts.max_pair_corr ${t.max_pair_corr}`,
          value: c,
          threshold: t.max_pair_corr,
        });
      }
    }
  }
  return out;
}
