import { cumWealth } from "../perf/series.ts";
import { lineChart } from "./line_chart.ts";

/**
 * Equity curve vs buy-and-hold: growth of 1 for the strategy, Π(1 + rᵢ), and for the benchmark, Π(1 + bᵢ)
 * (NaN periods count as 0), on the same days.
 */
export function equityChart(
  days: number[],
  returns: number[],
  benchmark: number[],
  benchName: string,
): string {
  return lineChart("Equity: strategy vs buy-and-hold", days, [
    { name: "strategy (after costs)", color: "#1f5fbf", ys: cumWealth(returns) },
    { name: `${benchName} buy-and-hold`, color: "#e08a00", ys: cumWealth(benchmark) },
  ], (v) => v.toFixed(2));
}
