import { underwater } from "../perf/drawdown.ts";
import { lineChart } from "./line_chart.ts";

/** Underwater curve: the drawdown Wₜ / max₍ᵢ≤ₜ₎Wᵢ − 1 of the strategy's compounded wealth, per period. */
export function underwaterChart(days: number[], returns: number[]): string {
  return lineChart(
    "Underwater (drawdown from the running peak)",
    days,
    [{ name: "drawdown", color: "#c62828", ys: underwater(returns) }],
    (v) => `${(v * 100).toFixed(0)}%`,
    { fillToZero: true },
  );
}
