import { reportPageHead } from "./html_page.ts";
import type { Alert } from "./alerts/rules.ts";
import type { Chart } from "./charts/mod.ts";
import type { OmittedChart } from "./charts/portfolio.ts";
import { esc } from "./charts/svg.ts";
import { jsonNumber } from "./perf/summary.ts";
import type { Portfolio } from "./portfolio.ts";

/** Where the charts went: `dir` (undefined: not written to files), the ones drawn and the ones omitted, why. */
export interface PortfolioChartsInfo {
  dir: string | undefined;
  drawn: { name: string; title: string }[];
  omitted: OmittedChart[];
}

export type PortfolioDoc = Portfolio & { alerts: Alert[]; notes: string[]; charts?: PortfolioChartsInfo };

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
  "weight",
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
  `${(h.weight * 100).toFixed(1)}%`,
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
    ...(p.charts
      ? {
        charts: {
          dir: p.charts.dir ?? null,
          files: p.charts.dir === undefined ? [] : p.charts.drawn.map((c) => ({
            name: c.name,
            title: c.title,
            svg: `${p.charts!.dir}/${c.name}.svg`,
            png: `${p.charts!.dir}/${c.name}.png`,
          })),
          omitted: p.charts.omitted,
        },
      }
      : {}),
  };
}

/** The Markdown charts section: each drawn chart's PNG under `linkDir` (relative to the report), omissions. */
function chartsMarkdown(c: PortfolioChartsInfo | undefined, linkDir: string | undefined): string {
  if (!c) return "";
  const lines = [
    ...(linkDir === undefined ? [] : c.drawn.map((d) => `![${d.title}](${linkDir}/${d.name}.png)`)),
    ...c.omitted.map((o) => `- ${o.title}: not drawn — ${o.reason}.`),
  ];
  return lines.length ? `\n## Charts\n\n${lines.join("\n\n")}\n` : "";
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

/** The Markdown report; `chartLinkDir`: the charts directory relative to the report file (no link without it). */
export function portfolioMarkdown(p: PortfolioDoc, chartLinkDir?: string): string {
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
${chartsMarkdown(p.charts, chartLinkDir)}
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

/**
 * The self-contained HTML report: inline CSS, the holdings and correlation tables, the charts as inline SVG (or
 * why one is not drawn), no script and nothing fetched.
 */
export function portfolioHtml(p: PortfolioDoc, charts: Chart[] = []): string {
  const row = (r: string[], tag = "td") => `<tr>${r.map((c) => `<${tag}>${esc(c)}</${tag}>`).join("")}</tr>`;
  const n = p.correlation.names;
  const omitted = p.charts?.omitted ?? [];
  return `${reportPageHead(`CryptoRun portfolio report ${esc(p.as_of)}`)}<h1>CryptoRun portfolio report</h1>
<p>As of ${esc(p.as_of)} · beta and correlation from the last ${p.beta_days} daily returns</p>
<h2>Holdings</h2>
${
    p.holdings.length
      ? `<table id="holdings">${row(HEAD, "th")}${p.holdings.map((h) => row(cells(h))).join("")}</table>`
      : "<p>No position in the hold window.</p>"
  }
<h2>Correlation of the open holdings</h2>
${
    n.length
      ? `<table id="correlation">${row(["", ...n], "th")}${
        n.map((a, i) => row([a, ...p.correlation.matrix[i].map((x) => f(x, 2))])).join("")
      }</table>`
      : "<p>No open holding.</p>"
  }
<h2>Charts</h2>
<div class="charts">${charts.map((c) => `<figure id="chart-${c.name}">${c.svg}</figure>`).join("\n")}</div>
${omitted.map((o) => `<p class="note">${esc(o.title)}: not drawn — ${esc(o.reason)}.</p>`).join("\n")}
<h2>Alerts</h2>
${p.alerts.length ? `<ul>${p.alerts.map((a) => `<li>${esc(a.summary)}</li>`).join("")}</ul>` : "<p>None.</p>"}
<h2>Notes</h2>
${p.notes.length ? `<ul>${p.notes.map((x) => `<li>${esc(x)}</li>`).join("")}</ul>` : "<p>None.</p>"}
</body>
</html>
`;
}
