import type { PerfReport } from "../performance.ts";
import { correlation } from "../perf/beta.ts";
import { correlationChart } from "./correlation.ts";
import { equityChart } from "./equity.ts";
import { monthlyHeatmap } from "./heatmap.ts";
import { sectorPie } from "./pie.ts";
import { underwaterChart } from "./underwater.ts";

export interface Chart {
  /** File stem: equity, underwater, monthly, correlation, sectors. */
  name: string;
  title: string;
  svg: string;
}

/** The sector of a symbol's base asset ("unclassified" when the map has none). */
export const sectorOf = (symbol: string, sectors: Record<string, string>) =>
  sectors[symbol.split("/")[0]] ?? "unclassified";

/** Pairwise Pearson correlations of the given return series (NaN where fewer than 2 common periods). */
export function correlationMatrix(series: number[][]): number[][] {
  return series.map((a, i) => series.map((b, j) => (i === j ? 1 : correlation(a, b))));
}

/**
 * Every chart of a performance report, pure: equity vs buy-and-hold, underwater, monthly heatmap, and — for a
 * backtest — the correlation matrix of the traded symbols' daily returns and the sector pie of the stake traded.
 */
export function reportCharts(
  r: PerfReport,
  opts: { benchmark: string; symbolReturns?: Map<string, number[]>; sectors?: Record<string, string> },
): Chart[] {
  const days = r.series.map((s) => s.ts);
  const rets = r.series.map((s) => s.ret);
  const charts: Chart[] = [
    {
      name: "equity",
      title: "Equity vs buy-and-hold",
      svg: equityChart(days, rets, r.series.map((s) => s.benchmark), opts.benchmark),
    },
    { name: "underwater", title: "Underwater curve", svg: underwaterChart(days, rets) },
    { name: "monthly", title: "Monthly returns", svg: monthlyHeatmap(days, rets) },
  ];
  if (r.source === "backtest" && opts.symbolReturns) {
    const traded = [...new Set(r.trades.map((t) => t.symbol))].sort();
    const names = traded.filter((s) => opts.symbolReturns!.has(s));
    charts.push({
      name: "correlation",
      title: "Correlation matrix",
      svg: correlationChart(names, correlationMatrix(names.map((s) => opts.symbolReturns!.get(s)!))),
    });
    const weight = new Map<string, number>();
    for (const t of r.trades) {
      const k = sectorOf(t.symbol, opts.sectors ?? {});
      weight.set(k, (weight.get(k) ?? 0) + t.qty * t.entryPrice);
    }
    charts.push({
      name: "sectors",
      title: "Sector exposure",
      svg: sectorPie([...weight].map(([name, w]) => ({ name, weight: w }))),
    });
  }
  return charts;
}
