import { loadEntry } from "../../util/entries.ts";
import type { Command } from "../command.ts";

/** `cryptorun report`: help and flags (light; the implementation lives in ./report/run.ts). */

export const reportCommand: Command = {
  name: "report",
  summary:
    "judge the scanner: PIT signal backtest, performance and portfolio reports, charts, threshold alerts",
  help: `cryptorun report — what the scanner's picks would have earned, point in time, after costs

Usage: cryptorun report --performance --from ISO --to ISO [--every 4h] [--entry top|gates] [--top N]
                        [--hold 24h] [--stop-pct P] [--fees-bps N] [--slippage-bps N] [--capital N]
                        [--universe BTC/USD,…] [--workers N] [--periods-per-year N] [--risk-free R]
                        [--format md|csv|json|html] [--outfile PATH] [--charts DIR] [--json]
       cryptorun report --portfolio [--as-of ISO] [--every 4h] [--entry top|gates] [--top N] [--hold 24h]
                        [--stop-pct P] [--fees-bps N] [--slippage-bps N] [--capital N] [--universe BTC/USD,…]
                        [--workers N] [--format md|csv|json|html] [--outfile PATH] [--charts DIR] [--json]
       cryptorun report --performance --returns FILE [--periods-per-year N] [--risk-free R]
                        [--format md|csv|json|html] [--outfile PATH] [--charts DIR] [--json]

Signal backtest (--from/--to): walks the window one step every --every (default report.every_hours = 4h, the
regime cadence); at each step runs the real scan (the engine and gates of \`scan\`) as of that time on bars read
through the data door, closed by then; opens the best --top rows (--entry top) or the best --top that pass
every entry gate (--entry gates) at the NEXT bar's open, one position per symbol; exits at the open --hold
later (or on --stop-pct, or at the window end). No bar after --to is ever read. Costs per side: --fees-bps
(default 40 = Kraken Pro spot taker, lowest tier) and --slippage-bps (default 5): spec P&L = raw P&L − costs.
Daily returns of the equity curve give Sharpe, Sortino, max drawdown, Calmar, CAGR, volatility; the trades give
hit rate, profit factor, expectancy (freqtrade), exposure, average hold, turnover.

Portfolio (--portfolio): the positions the same backtest entered within --hold before --as-of (default: the close
of the newest bar in the cold tier): qty, sector (report.sectors), entry, mark, P&L, hold-until, exit status
(open / closed: hold|stop), beta vs BTC, weight (share of the open holdings' market value) and the pairwise
correlation of the open holdings (last 30 daily returns); a pair above report.alerts.max_pair_corr raises an
alert. Its charts: the correlation matrix, a sector pie, the weights and the betas of the open holdings; a chart
with nothing to show (no open holding; one → no pair to correlate) is not drawn and the report says why.

Returns file (--returns): the same metrics on any CSV \`ts,return\` (simple returns; an empty or NaN cell is a
missing period; each present period counts as one trade for the trade metrics).

Flags:
  --performance         the performance report
  --portfolio           the portfolio report (one of the two is required)
  --as-of ISO           --portfolio: the time of the holdings
  --from ISO, --to ISO  the backtest window (--from before --to)
  --every DUR           step: 1h, 2h, 3h, 4h, 6h, 8h, 12h or 24h (report.every_hours)
  --entry top|gates     entry rule (report.entry = top: recorded history has no order books, so the
                        liquidity gates say "unknown" and --entry gates opens nothing on it)
  --top N               positions opened per step at most (report.top = 3)
  --hold DUR            hold time, e.g. 24h, 2d (report.hold_hours = 24)
  --stop-pct P          stop loss as a fraction below entry (0.05 = 5 %); default none
  --fees-bps N          fee per side in bps (report.fees_bps = 40)
  --slippage-bps N      slippage per side in bps (report.slippage_bps = 5)
  --capital N           starting capital (report.capital = 10000); stake = capital / (top · ⌈hold/every⌉)
  --universe LIST       only these symbols (default scan.universe, else every admitted symbol)
  --workers N           at most N threads scan the steps (default and most: the machine's cores; fewer
                        for a small job; 1: no worker); the result is the same for any N
  --returns FILE        compute the metrics on this returns CSV instead of a backtest
  --periods-per-year N  annualisation (report.periods_per_year = 365; 252, 52, 12 …)
  --risk-free R         risk-free return per period (Sharpe; Sortino's required return); default 0
  --format F            md, csv, json or html (default: from --outfile's extension, else md); html is one
                        self-contained file with the charts inline
  --outfile PATH        write the report there (atomically: nothing is written on error)
  --charts DIR          write the charts there as SVG and PNG: equity vs BTC buy-and-hold, underwater,
                        monthly heatmap, correlation matrix, sector pie (default for a backtest:
                        <data-dir>/reports/charts; a returns file: none); --portfolio: portfolio_correlation,
                        portfolio_sectors, portfolio_weights, portfolio_beta (default <data-dir>/reports/charts;
                        the prefix keeps the performance charts there)

Output: the summary table on stdout (or --json: one object whose keys are the metric names: sharpe, sortino,
max_drawdown, calmar, annual_return, annual_volatility, hit_rate, profit_factor, expectancy, …; undefined
metrics are null). --portfolio: the holdings table (or --json: {as_of, holdings, correlation, beta_days,
alerts, notes, charts: {dir, files: [{name, title, svg, png}], omitted: [{name, title, reason}]}}). Progress on a TTY. Formulas and conventions: docs/REPORTS.md.

Examples:
  cryptorun report --performance --from 2022-01-08T00:00:00Z --to 2022-06-30T00:00:00Z
  cryptorun report --performance --from 2022-03-01T00:00:00Z --to 2022-06-01T00:00:00Z --top 1 --json
  cryptorun report --performance --from 2022-01-08T00:00:00Z --to 2022-06-30T00:00:00Z --outfile perf.md
  cryptorun report --performance --returns my_strategy.csv --periods-per-year 252 --json
  cryptorun report --portfolio --as-of 2022-05-10T12:00:00Z --outfile portfolio.html`,
  options: {
    performance: { type: "boolean" },
    portfolio: { type: "boolean" },
    "as-of": { type: "string" },
    from: { type: "string" },
    to: { type: "string" },
    every: { type: "string" },
    entry: { type: "string" },
    top: { type: "string" },
    hold: { type: "string" },
    "stop-pct": { type: "string" },
    "fees-bps": { type: "string" },
    "slippage-bps": { type: "string" },
    capital: { type: "string" },
    universe: { type: "string" },
    workers: { type: "string" },
    returns: { type: "string" },
    "periods-per-year": { type: "string" },
    "risk-free": { type: "string" },
    format: { type: "string" },
    outfile: { type: "string" },
    charts: { type: "string" },
  },
  load: async () => (await loadEntry<typeof import("./report/run.ts")>("cli/commands/report/run.ts")).run,
};
