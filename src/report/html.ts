import { reportPageHead } from "./html_page.ts";
import type { Chart } from "./charts/mod.ts";
import { esc } from "./charts/svg.ts";
import type { PerfReport } from "./performance.ts";
import { fmtValue, METRIC_ROWS } from "./render.ts";
import { isoMs } from "../util/time.ts";

/**
 * A self-contained HTML report: inline CSS, the charts as inline SVG, no script and no external resource, so it
 * opens anywhere (and in a headless browser test) with nothing to fetch.
 */
export function perfHtml(r: PerfReport, charts: Chart[]): string {
  const rows = METRIC_ROWS.filter((x) => r.metrics[x.key] !== undefined)
    .map((x) =>
      `<tr><th>${esc(x.label)}</th><td>${esc(fmtValue(r.metrics[x.key] as number, x.fmt))}</td></tr>`
    )
    .join("");
  const params = Object.entries(r.params).map(([k, v]) =>
    `<tr><th>${esc(k)}</th><td>${esc(String(v))}</td></tr>`
  )
    .join("");
  const trades = r.trades.slice(0, 200).map((t) =>
    `<tr><td>${esc(t.symbol)}</td><td>${isoMs(t.entryTs)}</td><td>${t.entryPrice}</td><td>${
      isoMs(t.exitTs)
    }</td><td>${Number(t.exitPrice.toPrecision(10))}</td><td>${t.exitReason}</td><td>${
      t.rawPnl.toFixed(2)
    }</td><td>${t.costs.toFixed(2)}</td><td>${t.specPnl.toFixed(2)}</td></tr>`
  ).join("");
  return `${
    reportPageHead(`CryptoRun performance report ${esc(r.from)} → ${esc(r.to)}`)
  }<h1>CryptoRun performance report</h1>
<p>${r.source === "backtest" ? "Signal backtest (the real scan, point in time)" : "Returns series"} · ${
    esc(r.from)
  } → ${esc(r.to)}</p>
<h2>Summary</h2>
<table id="summary">${rows}</table>
<h2>Charts</h2>
<div class="charts">${charts.map((c) => `<figure id="chart-${c.name}">${c.svg}</figure>`).join("\n")}</div>
<h2>Parameters</h2>
<table>${params}</table>
<h2>Trades</h2>
${
    r.trades.length
      ? `<table><tr><th>Symbol</th><th>Entry</th><th>Entry price</th><th>Exit</th><th>Exit price</th><th>Exit</th><th>Raw P&amp;L</th><th>Costs</th><th>Spec P&amp;L</th></tr>${trades}</table>${
        r.trades.length > 200 ? `<p class="note">First 200 of ${r.trades.length} trades.</p>` : ""
      }`
      : "<p>No trades.</p>"
  }
<h2>Notes</h2>
<ul>${r.notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul>
<p class="note">Formulas and conventions: docs/REPORTS.md. Undefined metrics are shown as "–".</p>
</body>
</html>
`;
}
