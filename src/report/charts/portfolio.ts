import type { Portfolio } from "../portfolio.ts";
import { barChart } from "./bars.ts";
import { correlationChart } from "./correlation.ts";
import type { Chart } from "./mod.ts";
import { sectorPie } from "./pie.ts";

/** A chart the portfolio report could not draw, and why (shown in the report instead of a broken chart). */
export interface OmittedChart {
  name: string;
  title: string;
  reason: string;
}

/**
 * The portfolio report's charts, pure (file stems prefixed `portfolio_` so they never overwrite the performance
 * report's charts in a shared directory): the correlation matrix of the open holdings (the report's own
 * numbers), the open holdings' weights by sector and by holding, and each open holding's beta vs the benchmark.
 * A chart with nothing to show (no open holding; one holding → no pair to correlate; no beta defined) is
 * omitted with its reason.
 */
export function portfolioCharts(p: Portfolio): { charts: Chart[]; omitted: OmittedChart[] } {
  const charts: Chart[] = [];
  const omitted: OmittedChart[] = [];
  const open = p.holdings.filter((h) => h.status === "open").sort((a, b) =>
    b.weight - a.weight || (a.symbol < b.symbol ? -1 : 1)
  );
  const noOpen = `no open holding as of ${p.as_of}`;
  const add = (name: string, title: string, svg: () => string, reason: string | undefined) =>
    reason === undefined ? charts.push({ name, title, svg: svg() }) : omitted.push({ name, title, reason });

  const names = p.correlation.names;
  add(
    "portfolio_correlation",
    "Correlation of the open holdings",
    () =>
      correlationChart(
        names,
        p.correlation.matrix,
        `Correlation of the open holdings (last ${p.beta_days} daily returns)`,
      ),
    names.length === 0
      ? noOpen
      : names.length === 1
      ? `one open holding (${names[0]}): no pair to correlate`
      : p.correlation.matrix.every((row, i) => row.every((v, j) => i === j || !Number.isFinite(v)))
      ? `no pair has a defined correlation (2+ common daily returns, not constant) in the last ${p.beta_days} days`
      : undefined,
  );
  const bySector = new Map<string, number>();
  for (const h of open) bySector.set(h.sector, (bySector.get(h.sector) ?? 0) + h.weight);
  add(
    "portfolio_sectors",
    "Open holdings by sector",
    () =>
      sectorPie(
        [...bySector].map(([name, weight]) => ({ name, weight })),
        "Open holdings by sector (share of market value)",
      ),
    open.length === 0 ? noOpen : undefined,
  );
  add(
    "portfolio_weights",
    "Weights of the open holdings",
    () =>
      barChart(
        "Weights of the open holdings (share of market value)",
        open.map((h) => ({ label: h.symbol, value: h.weight })),
        (v) => `${(v * 100).toFixed(1)}%`,
      ),
    open.length === 0 ? noOpen : undefined,
  );
  add(
    "portfolio_beta",
    "Beta vs BTC of the open holdings",
    () =>
      barChart(
        `Beta vs BTC of the open holdings (last ${p.beta_days} daily returns)`,
        open.map((h) => ({ label: h.symbol, value: h.beta_vs_btc })),
        (v) => v.toFixed(2),
        { color: "#2e9e44", ref: { value: 1, label: "β = 1" } },
      ),
    open.length === 0
      ? noOpen
      : open.every((h) => !Number.isFinite(h.beta_vs_btc))
      ? `no open holding has a beta (fewer than 2 daily returns in common with the benchmark)`
      : undefined,
  );
  return { charts, omitted };
}
