import type { Alert } from "./alerts/rules.ts";
import { esc } from "./charts/svg.ts";
import { jsonNumber } from "./perf/summary.ts";
import type { Portfolio } from "./portfolio.ts";

export type PortfolioDoc = Portfolio & { alerts: Alert[]; notes: string[] };

const f = (x: number, d = 4) => (Number.isFinite(x) ? x.toFixed(d) : "–");
const HEAD = [
  "symbol",
  "sector",
  "qty",
  "entry",
  "entry price",
  "mark",
  "P&L",
  "hold until",
  "status",
  "beta vs BTC",
];
const cells = (h: PortfolioDoc["holdings"][number]) => [
  h.symbol,
  h.sector,
  f(h.qty, 6),
  h.entry_ts,
  String(h.entry_price),
  String(Number(h.mark.toPrecision(10))),
  f(h.pnl, 2),
  h.hold_until,
  h.status,
  f(h.beta_vs_btc, 3),
];

/** `--json`: holdings, correlation (null for undefined), alerts, notes. */
export function portfolioJson(p: PortfolioDoc): Record<string, unknown> {
  return {
    as_of: p.as_of,
    holdings: p.holdings.map((h) => ({ ...h, beta_vs_btc: jsonNumber(h.beta_vs_btc) })),
    correlation: { names: p.correlation.names, matrix: p.correlation.matrix.map((r) => r.map(jsonNumber)) },
    beta_days: p.beta_days,
    alerts: p.alerts.map((a) => ({
      rule: a.rule,
      summary: a.summary,
      value: a.value,
      threshold: a.threshold,
    })),
    notes: p.notes,
  };
}

export function portfolioLines(p: PortfolioDoc): string[] {
  const rows = [HEAD, ...p.holdings.map(cells)];
  const w = HEAD.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return [
    `portfolio as of ${p.as_of} (${p.holdings.filter((h) => h.status === "open").length} open)`,
    ...rows.map((r) => "  " + r.map((c, i) => c.padEnd(w[i])).join("  ")),
    ...p.alerts.map((a) => `ALERT: ${a.summary}`),
    ...p.notes.map((n) => `note: ${n}`),
  ];
}

export function portfolioMarkdown(p: PortfolioDoc): string {
  const t = (h: string[], b: string[][]) =>
    [`| ${h.join(" | ")} |`, `| ${h.map(() => "---").join(" | ")} |`, ...b.map((r) => `| ${r.join(" | ")} |`)]
      .join("\n");
  const n = p.correlation.names;
  return `# CryptoRun portfolio report

As of ${p.as_of}. Beta and correlation from the last ${p.beta_days} daily returns.

## Holdings

${p.holdings.length ? t(HEAD, p.holdings.map(cells)) : "No position in the hold window."}

## Correlation of the open holdings

${
    n.length
      ? t(["", ...n], n.map((a, i) => [a, ...p.correlation.matrix[i].map((x) => f(x, 2))]))
      : "No open holding."
  }

## Alerts

${p.alerts.length ? p.alerts.map((a) => `- ${a.summary}`).join("\n") : "None."}

## Notes

${p.notes.length ? p.notes.map((x) => `- ${x}`).join("\n") : "None."}
`;
}

export function portfolioCsv(p: PortfolioDoc): string {
  const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  return [HEAD.join(","), ...p.holdings.map((h) => cells(h).map(q).join(","))].join("\n") + "\n";
}

export function portfolioHtml(p: PortfolioDoc): string {
  const row = (r: string[], tag = "td") => `<tr>${r.map((c) => `<${tag}>${esc(c)}</${tag}>`).join("")}</tr>`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>CryptoRun portfolio ${esc(p.as_of)}</title>
<style>body{font-family:"DejaVu Sans",sans-serif;margin:24px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px}</style>
</head><body><h1>CryptoRun portfolio report</h1><p>As of ${esc(p.as_of)}</p>
<table>${row(HEAD, "th")}${p.holdings.map((h) => row(cells(h))).join("")}</table>
<h2>Alerts</h2><ul>${p.alerts.map((a) => `<li>${esc(a.summary)}</li>`).join("")}</ul>
<h2>Notes</h2><ul>${p.notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul></body></html>
`;
}
