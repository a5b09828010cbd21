import type { PerfMetrics, PerfReport } from "./performance.ts";
import { jsonNumber } from "./perf/summary.ts";
import { fillTemplate, loadTemplate } from "./template.ts";
import { isoMs } from "../util/time.ts";

type Fmt = "pct" | "ratio" | "int" | "money" | "hours" | "num";

/** Each metric's label and display format, in report order. */
export const METRIC_ROWS: { key: keyof PerfMetrics; label: string; fmt: Fmt }[] = [
  { key: "total_return", label: "Total return", fmt: "pct" },
  { key: "annual_return", label: "Annual return (CAGR)", fmt: "pct" },
  { key: "annual_volatility", label: "Annual volatility", fmt: "pct" },
  { key: "sharpe", label: "Sharpe", fmt: "ratio" },
  { key: "sortino", label: "Sortino", fmt: "ratio" },
  { key: "max_drawdown", label: "Max drawdown", fmt: "pct" },
  { key: "calmar", label: "Calmar", fmt: "ratio" },
  { key: "trades", label: "Trades", fmt: "int" },
  { key: "hit_rate", label: "Hit rate (after costs)", fmt: "pct" },
  { key: "raw_hit_rate", label: "Hit rate (raw)", fmt: "pct" },
  { key: "profit_factor", label: "Profit factor", fmt: "ratio" },
  { key: "expectancy", label: "Expectancy (per trade)", fmt: "num" },
  { key: "expectancy_ratio", label: "Expectancy ratio", fmt: "ratio" },
  { key: "exposure", label: "Exposure (time in market)", fmt: "pct" },
  { key: "exposure_weighted_return", label: "Exposure-weighted return", fmt: "pct" },
  { key: "average_hold_hours", label: "Average hold", fmt: "hours" },
  { key: "turnover", label: "Turnover (× capital per year)", fmt: "ratio" },
  { key: "raw_pnl", label: "Raw P&L", fmt: "money" },
  { key: "costs", label: "Costs (fees + slippage)", fmt: "money" },
  { key: "spec_pnl", label: "Spec P&L (raw − costs)", fmt: "money" },
  { key: "benchmark_total_return", label: "BTC buy-and-hold return", fmt: "pct" },
  { key: "beta", label: "Beta vs BTC", fmt: "ratio" },
  { key: "periods", label: "Periods", fmt: "int" },
  { key: "missing_periods", label: "Missing periods", fmt: "int" },
  { key: "periods_per_year", label: "Periods per year", fmt: "int" },
  { key: "risk_free", label: "Risk-free (per period)", fmt: "num" },
];

/** A metric for people: fixed decimals, percentages with 2, "–" when undefined, ±∞ for infinities. */
export function fmtValue(x: number, fmt: Fmt): string {
  if (Number.isNaN(x)) return "–";
  if (!Number.isFinite(x)) return x > 0 ? "∞" : "−∞";
  switch (fmt) {
    case "pct":
      return `${(x * 100).toFixed(2)} %`;
    case "ratio":
      return x.toFixed(3);
    case "int":
      return String(Math.round(x));
    case "money":
      return x.toFixed(2);
    case "hours":
      return `${x.toFixed(1)} h`;
    default:
      return String(Number(x.toPrecision(6)));
  }
}

const rows = (m: PerfMetrics) => METRIC_ROWS.filter((r) => m[r.key] !== undefined);

/** The summary as text table lines (stdout). */
export function summaryLines(r: PerfReport): string[] {
  const rs = rows(r.metrics);
  const w = Math.max(...rs.map((x) => x.label.length));
  return [
    `${r.source === "backtest" ? "signal backtest" : "returns series"} ${r.from} → ${r.to}`,
    ...rs.map((x) => `  ${x.label.padEnd(w)}  ${fmtValue(r.metrics[x.key] as number, x.fmt)}`),
    ...r.notes.map((n) => `note: ${n}`),
  ];
}

/** `--json`: one document whose keys are the metric names (non-finite values → null), plus the run's context. */
export function perfJson(r: PerfReport): Record<string, unknown> {
  const metrics = Object.fromEntries(
    Object.entries(r.metrics).map(([k, v]) => [k, jsonNumber(v as number)]),
  );
  return {
    source: r.source,
    from: r.from,
    to: r.to,
    ...metrics,
    params: r.params,
    alerts: r.alerts ?? [],
    notes: r.notes,
  };
}

function mdTable(head: string[], body: string[][]): string {
  const esc = (s: string) => s.replaceAll("|", "\\|");
  return [
    `| ${head.map(esc).join(" | ")} |`,
    `| ${head.map(() => "---").join(" | ")} |`,
    ...body.map((r) => `| ${r.map(esc).join(" | ")} |`),
  ].join("\n");
}

/** Markdown from artifacts/templates/perf_report.md.tmpl; `charts` is the charts section (may be ""). */
export async function perfMarkdown(r: PerfReport, charts = ""): Promise<string> {
  const tr = r.trades;
  const shown = tr.slice(0, 50);
  return fillTemplate(await loadTemplate("perf_report.md.tmpl"), {
    source: r.source === "backtest" ? "Signal backtest (the real scan, point in time)" : "Returns series",
    from: r.from,
    to: r.to,
    summary_table: mdTable(
      ["Metric", "Value"],
      rows(r.metrics).map((x) => [x.label, fmtValue(r.metrics[x.key] as number, x.fmt)]),
    ),
    params_table: mdTable(["Parameter", "Value"], Object.entries(r.params).map(([k, v]) => [k, String(v)])),
    charts,
    trades_table: tr.length === 0 ? "No trades." : mdTable(
      ["Symbol", "Entry", "Entry price", "Exit", "Exit price", "Exit", "Raw P&L", "Costs", "Spec P&L"],
      shown.map((t) => [
        t.symbol,
        isoMs(t.entryTs),
        String(t.entryPrice),
        isoMs(t.exitTs),
        String(Number(t.exitPrice.toPrecision(10))),
        t.exitReason,
        t.rawPnl.toFixed(2),
        t.costs.toFixed(2),
        t.specPnl.toFixed(2),
      ]),
    ) + (tr.length > shown.length ? `\n\n(first ${shown.length} of ${tr.length} trades)` : ""),
    notes: [
      ...(r.alerts ?? []).map((a) => `ALERT: ${a.summary}`),
      ...r.notes,
    ].map((n) => `- ${n}`).join("\n") ||
      "None.",
  }, "perf_report.md.tmpl");
}

/** CSV from artifacts/templates/perf_report.csv.tmpl: `metric,value`, full precision, empty when undefined. */
export async function perfCsv(r: PerfReport): Promise<string> {
  const lines = Object.entries(r.metrics).map(([k, v]) => {
    const n = jsonNumber(v as number);
    return `${k},${n === null ? "" : String(n)}`;
  });
  return fillTemplate(await loadTemplate("perf_report.csv.tmpl"), {
    metric_rows: [`source,${r.source}`, `from,${r.from}`, `to,${r.to}`, ...lines].join("\n"),
  }, "perf_report.csv.tmpl");
}
