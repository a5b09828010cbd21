import { sha256Hex } from "../../../util/sha256_hex.ts";
import { dirname, relative, resolve } from "node:path";
import { positiveInt, str } from "../../flags.ts";
import type { CommandContext, Handler, ParsedArgs } from "../../command.ts";
import type { Config } from "../../../config/schema.ts";
import type { BacktestResult } from "../../../report/backtest.ts";
import { createProgress } from "../../../util/progress.ts";
import { InputError, UsageError } from "../../../util/errors.ts";
import { HOUR_MS, parseDuration, parseTime } from "../../../util/time.ts";

const FORMATS = ["md", "csv", "json", "html"] as const;
type Format = typeof FORMATS[number];
const BACKTEST_FLAGS = [
  "from",
  "to",
  "every",
  "entry",
  "top",
  "hold",
  "stop-pct",
  "fees-bps",
  "slippage-bps",
  "capital",
  "universe",
  "workers",
];

/** A number flag within [min, max] (finite; `exclusiveMin` refuses min itself), or undefined when not given. */
function numFlag(
  args: ParsedArgs,
  name: string,
  min: number,
  max: number,
  exclusiveMin = false,
): number | undefined {
  const v = str(args, name);
  if (v === undefined) return undefined;
  const t = v.trim();
  const n = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) ? Number(t) : NaN;
  if (!Number.isFinite(n) || n < min || n > max || (exclusiveMin && n === min)) {
    throw new UsageError(
      `--${name}: expected a number ${exclusiveMin ? ">" : "≥"} ${min} and ≤ ${max}, found ${
        JSON.stringify(v)
      }`,
    );
  }
  return n;
}

function formatOf(args: ParsedArgs, outfile: string | undefined): Format {
  const f = str(args, "format");
  if (f !== undefined) {
    if (!(FORMATS as readonly string[]).includes(f)) {
      throw new UsageError(`--format: expected one of ${FORMATS.join(", ")}, found ${JSON.stringify(f)}`);
    }
    return f as Format;
  }
  const ext = outfile?.match(/\.([a-z]+)$/i)?.[1]?.toLowerCase();
  return (FORMATS as readonly string[]).includes(ext ?? "") ? ext as Format : "md";
}

/**
 * Stores the run's positions and daily returns (persistence: embedded or Postgres; one transaction, replacing an
 * earlier run with the same parameters) and reads them back: the report is computed from what was stored.
 * With persistence disabled the report uses the in-memory result and says so.
 */
async function storeAndReadBack(
  ctx: CommandContext,
  cfg: Config,
  result: BacktestResult,
  stake: number,
  key: Record<string, unknown>,
  notes: string[],
): Promise<BacktestResult> {
  if (!cfg.persistence.enabled) {
    notes.push("persistence.enabled is false: positions and returns were not stored (computed in memory)");
    return result;
  }
  const perf = await import("../../../report/performance.ts");
  const { openPersistence } = await import("../../../persistence/open.ts");
  const runId = "bt-" + (await sha256Hex(JSON.stringify(key))).slice(0, 16);
  const p = await openPersistence(cfg.persistence, await ctx.dataDir(), ctx.env, { log: ctx.log });
  try {
    const rows = perf.storedRows(result, stake);
    await p.backtest.save(runId, rows.positions, rows.returns, { signal: ctx.signal });
    const range = { from: result.from - 24 * HOUR_MS, to: result.to };
    const positions = await p.backtest.positions(runId, range, { signal: ctx.signal });
    const returns = await p.backtest.returns(runId, range, { signal: ctx.signal });
    notes.push(
      `stored ${positions.length} positions and ${returns.length} daily returns as run ${runId} ` +
        `(${
          cfg.persistence.kind === "postgres" ? "postgres" : "embedded database"
        }); the report reads them back`,
    );
    return perf.resultFromStored(result, positions, returns);
  } finally {
    await p.close();
  }
}

/** The Markdown report's charts section: each chart's PNG, linked relative to the report file. */
function chartLinks(outfile: string, chartsDir: string, charts: { name: string; title: string }[]): string {
  const rel = relative(dirname(resolve(outfile)), resolve(chartsDir)) || ".";
  return "\n## Charts\n\n" + charts.map((c) => `![${c.title}](${rel}/${c.name}.png)`).join("\n\n") + "\n";
}

/**
 * Writes/prints the portfolio report (md, csv, json, html) with its charts (SVG and PNG in --charts DIR,
 * default <data-dir>/reports/charts, file names prefixed `portfolio_`) and its correlation alerts. Everything is
 * computed (charts rendered) before an alert is sent or a byte is written.
 */
async function emitPortfolio(
  ctx: CommandContext,
  args: ParsedArgs,
  pf: import("../../../report/portfolio.ts").Portfolio,
  rc: Config["report"],
  notes: string[],
  outfile: string | undefined,
  format: Format,
): Promise<number> {
  const { portfolioCharts } = await import("../../../report/charts/portfolio.ts");
  const { charts, omitted } = portfolioCharts(pf);
  const chartsDir = str(args, "charts") ?? `${await ctx.dataDir()}/reports/charts`;
  const files: [string, string | Uint8Array][] = [];
  if (charts.length > 0) {
    const { svgToPng } = await import("../../../report/png.ts");
    for (const c of charts) {
      files.push([`${chartsDir}/${c.name}.svg`, c.svg]);
      files.push([`${chartsDir}/${c.name}.png`, await svgToPng(c.svg)]);
    }
  }
  const { evaluateAlerts } = await import("../../../report/alerts/rules.ts");
  const alerts = evaluateAlerts(NaN, pf.correlation.names, pf.correlation.matrix, rc.alerts);
  if (alerts.length > 0) {
    const { deliverAlerts } = await import("../../../report/alerts/deliver.ts");
    const outcomes = await deliverAlerts(alerts, `portfolio as of ${pf.as_of}`, {
      config: rc.alerts,
      env: ctx.env,
      log: ctx.log,
      statePath: `${await ctx.dataDir()}/reports/alerts_state.json`,
    });
    if (outcomes.length === 0) notes.push(`${alerts.length} alert(s) triggered; no alert channel configured`);
    for (const o of outcomes) {
      notes.push(
        `alerts via ${o.channel}: ${o.sent} sent, ${o.deduped} deduped, ${o.failed} failed` +
          (o.error ? ` (${o.error})` : ""),
      );
    }
  }
  const { portfolioCsv, portfolioJson, portfolioLines, portfolioMarkdown, portfolioHtml } = await import(
    "../../../report/portfolio_render.ts"
  );
  const doc = {
    ...pf,
    alerts,
    notes,
    charts: { dir: chartsDir, drawn: charts.map((c) => ({ name: c.name, title: c.title })), omitted },
  };
  if (outfile !== undefined) {
    const body = format === "json"
      ? JSON.stringify(portfolioJson(doc), null, 2) + "\n"
      : format === "csv"
      ? portfolioCsv(doc)
      : format === "html"
      ? portfolioHtml(doc, charts)
      : portfolioMarkdown(doc, relative(dirname(resolve(outfile)), resolve(chartsDir)) || ".");
    files.push([outfile, body]);
  }
  // Outputs last. An omitted chart's files from an earlier run are removed: the directory shows this run.
  const { atomicWriteFile } = await import("../../../util/atomic_write.ts");
  for (const [path, data] of files) await atomicWriteFile(path, data);
  for (const o of omitted) {
    for (const ext of ["svg", "png"]) {
      await Deno.remove(`${chartsDir}/${o.name}.${ext}`).catch((err) => {
        if (!(err instanceof Deno.errors.NotFound)) throw err;
      });
    }
  }
  if (ctx.globals.json) ctx.out(JSON.stringify(portfolioJson(doc)));
  else {
    for (const l of portfolioLines(doc)) ctx.out(l);
    if (outfile !== undefined) ctx.out(`wrote ${outfile} (${format})`);
    if (charts.length > 0) ctx.out(`wrote ${charts.length} charts (svg, png) to ${chartsDir}`);
    for (const o of omitted) ctx.out(`chart ${o.name} not drawn: ${o.reason}`);
  }
  return 0;
}

/** --charts names a directory (made when missing): an existing file there is a usage error, before any work. */
async function checkChartsDir(dir: string | undefined): Promise<void> {
  if (dir === undefined) return;
  if (dir.trim() === "") throw new UsageError(`--charts: empty path`);
  const st = await Deno.stat(dir).catch((err) => {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw new UsageError(`--charts: cannot use ${JSON.stringify(dir)}: ${(err as Error).message}`);
  });
  if (st !== undefined && !st.isDirectory) {
    throw new UsageError(`--charts: ${JSON.stringify(dir)} exists and is not a directory`);
  }
}

export const run: Handler = async (ctx, args) => {
  const v = args.values;
  const portfolio = v.portfolio === true;
  if ((v.performance === true) === portfolio) {
    throw new UsageError(
      portfolio
        ? "report: --performance and --portfolio are two reports: choose one"
        : "report: choose a report: --performance or --portfolio (see cryptorun report --help)",
    );
  }
  if (portfolio) {
    for (const f of ["returns", "from", "to", "periods-per-year", "risk-free"]) {
      if (v[f] !== undefined) throw new UsageError(`--portfolio: --${f} applies to --performance only`);
    }
  } else if (v["as-of"] !== undefined) {
    throw new UsageError("--as-of applies to --portfolio (a performance report takes --from and --to)");
  }
  const returnsFile = str(args, "returns");
  const outfile = str(args, "outfile");
  const format = formatOf(args, outfile);
  await checkChartsDir(str(args, "charts"));
  const cfg = await ctx.config();
  const rc = cfg.report;
  const ppy = numFlag(args, "periods-per-year", 0, 1e6, true) ?? rc.periods_per_year;
  const riskFree = numFlag(args, "risk-free", -1, 1) ?? 0;
  const perf = await import("../../../report/performance.ts");
  const render = await import("../../../report/render.ts");
  let report;
  let symbolReturns: Map<string, number[]> | undefined;
  if (returnsFile !== undefined) {
    const extra = BACKTEST_FLAGS.filter((f) => v[f] !== undefined);
    if (extra.length) {
      throw new UsageError(`--returns: --${extra[0]} applies to a backtest, not to a returns file`);
    }
    const { parseReturnsCsv } = await import("../../../report/returns_csv.ts");
    let text: string;
    try {
      text = await Deno.readTextFile(returnsFile);
    } catch (err) {
      throw new InputError(
        `--returns: cannot read ${JSON.stringify(returnsFile)}: ${(err as Error).message}`,
      );
    }
    const s = parseReturnsCsv(text, returnsFile);
    report = perf.returnsReport(s.ts, s.returns, ppy, riskFree, {
      returns_file: returnsFile,
      periods_per_year: ppy,
      risk_free: riskFree,
    });
  } else {
    let fromS = str(args, "from");
    let toS = str(args, "to");
    if (portfolio) {
      // The portfolio at --as-of: the backtest over the hold before it (the positions entered since then).
      const asOfS = str(args, "as-of");
      const asOf = asOfS !== undefined ? parseTime(asOfS, "--as-of") : await (await import(
        "../../../report/feed.ts"
      )).newestBarClose({
        config: cfg,
        dataDir: await ctx.dataDir(),
        env: ctx.env,
        log: ctx.log,
        signal: ctx.signal,
      });
      const holdS = str(args, "hold");
      const holdMs = holdS === undefined ? rc.hold_hours * HOUR_MS : parseDuration(holdS, "--hold");
      fromS = new Date(asOf - holdMs - 24 * HOUR_MS).toISOString();
      toS = new Date(asOf).toISOString();
    }
    if (fromS === undefined || toS === undefined) {
      throw new UsageError(
        "report --performance: give --from and --to (a backtest window), or --returns FILE",
      );
    }
    const from = parseTime(fromS, "--from");
    const to = parseTime(toS, "--to");
    if (from >= to) {
      throw new UsageError(`--from ${fromS} is not before --to ${toS} (an empty window)`);
    }
    const everyS = str(args, "every");
    const every = everyS === undefined ? rc.every_hours * HOUR_MS : parseDuration(everyS, "--every");
    if (every % HOUR_MS !== 0 || (24 * HOUR_MS) % every !== 0) {
      throw new UsageError(
        `--every: expected whole hours dividing 24h (1h, 2h, 3h, 4h, 6h, 8h, 12h, 24h), found ${
          JSON.stringify(everyS)
        }`,
      );
    }
    const entry = str(args, "entry") ?? rc.entry;
    if (entry !== "top" && entry !== "gates") {
      throw new UsageError(`--entry: expected top or gates, found ${JSON.stringify(entry)}`);
    }
    const top = positiveInt(args, "top", 1000) ?? rc.top;
    const holdS = str(args, "hold");
    const hold = holdS === undefined ? rc.hold_hours * HOUR_MS : parseDuration(holdS, "--hold");
    if (hold < HOUR_MS || hold % HOUR_MS !== 0) {
      throw new UsageError(`--hold: expected whole hours, at least 1h, found ${JSON.stringify(holdS)}`);
    }
    const stopPct = numFlag(args, "stop-pct", 0, 1, true);
    const feesBps = numFlag(args, "fees-bps", 0, 1000) ?? rc.fees_bps;
    const slippageBps = numFlag(args, "slippage-bps", 0, 1000) ?? rc.slippage_bps;
    const capital = numFlag(args, "capital", 0, 1e12, true) ?? rc.capital;
    const uni = str(args, "universe")?.split(",").map((s) => s.trim()).filter(Boolean);
    for (const u of uni ?? []) {
      if (!/^[A-Z0-9]+\/[A-Z0-9]+$/.test(u)) {
        throw new UsageError(`--universe: expected symbols like BTC/USD,ETH/USD, found ${JSON.stringify(u)}`);
      }
    }
    const stake = capital / (top * Math.ceil(hold / every));
    const dataDir = await ctx.dataDir();
    const { readBacktestBars } = await import("../../../report/feed.ts");
    const workers = positiveInt(args, "workers", 256);
    const { runBacktestParallel } = await import("../../../report/backtest.ts");
    const progress = (title: string, total: number, unit: string) =>
      createProgress(ctx.interactive, title, total, unit);
    const { series, notes } = await readBacktestBars(
      { config: cfg, dataDir, env: ctx.env, log: ctx.log, signal: ctx.signal, progress },
      from,
      to,
      uni,
    );
    let bar: ReturnType<typeof progress> | undefined;
    const result = await (async () => {
      try {
        return await runBacktestParallel({
          series,
          from,
          to,
          everyMs: every,
          entry,
          top,
          holdMs: hold,
          stopPct,
          costs: { feesBps, slippageBps },
          capital,
          stake,
          lookbackHours: cfg.scan.lookback_hours,
          gates: cfg.gates,
          regime: cfg.regime,
          benchmark: rc.benchmark,
          onStep: (done, total) => {
            bar ??= progress("backtest", total, "steps");
            bar.update(done);
          },
        }, { maxWorkers: workers, signal: ctx.signal });
      } finally {
        bar?.stop();
      }
    })();
    if (portfolio) {
      const { portfolioAt } = await import("../../../report/portfolio.ts");
      const pf = portfolioAt(to, result.trades, series, {
        holdMs: hold,
        benchmark: rc.benchmark,
        sectors: rc.sectors,
        betaDays: 30,
      });
      return await emitPortfolio(ctx, args, pf, rc, notes, outfile, format);
    }
    const stored = await storeAndReadBack(ctx, cfg, result, stake, {
      from,
      to,
      every,
      entry,
      top,
      hold,
      stopPct: stopPct ?? null,
      feesBps,
      slippageBps,
      capital,
      universe: series.map((s) => `${s.venue}|${s.symbol}`),
    }, notes);
    const firstBar = Math.min(...series.map((s) => s.bars.ts.find((t) => t >= from) ?? Infinity));
    if (firstBar > from + every) {
      notes.push(`no bars before ${new Date(firstBar).toISOString()}: the steps before it opened nothing`);
    }
    if (entry === "gates" && result.trades.length === 0) {
      notes.push(
        "--entry gates opened nothing: no row passed every required entry gate (recorded bars carry no order " +
          "books, so the spread/depth gates are unknown and block); --entry top ranks without the gates",
      );
    }
    if (result.skipped.held) notes.push(`${result.skipped.held} picks skipped: symbol already held`);
    if (result.skipped.noEntryBar) {
      notes.push(`${result.skipped.noEntryBar} picks skipped: no bar at the entry time`);
    }
    const { dailyCloseReturns } = await import("../../../report/symbol_returns.ts");
    const days = stored.daily.map((d) => d.day);
    symbolReturns = new Map(series.map((s) => [s.symbol, dailyCloseReturns(s.bars, days)]));
    report = perf.backtestReport(
      stored,
      ppy,
      riskFree,
      {
        every: `${every / HOUR_MS}h`,
        entry,
        top,
        hold: `${hold / HOUR_MS}h`,
        stop_pct: stopPct ?? "none",
        fees_bps: feesBps,
        slippage_bps: slippageBps,
        capital,
        stake: Number(stake.toFixed(2)),
        universe: series.map((s) => s.symbol).join(","),
        periods_per_year: ppy,
        risk_free: riskFree,
        benchmark: rc.benchmark,
      },
      notes,
      capital,
    );
  }
  // Charts (pure SVG, then PNG through resvg): computed in memory before anything is written.
  const { reportCharts } = await import("../../../report/charts/mod.ts");
  const charts = reportCharts(report, {
    benchmark: rc.benchmark,
    symbolReturns: symbolReturns,
    sectors: rc.sectors,
  });
  const chartsDir = str(args, "charts") ??
    (returnsFile === undefined ? `${await ctx.dataDir()}/reports/charts` : undefined);
  const files: [string, string | Uint8Array][] = [];
  if (chartsDir !== undefined) {
    const { svgToPng } = await import("../../../report/png.ts");
    for (const c of charts) {
      files.push([`${chartsDir}/${c.name}.svg`, c.svg]);
      files.push([`${chartsDir}/${c.name}.png`, await svgToPng(c.svg)]);
    }
  }
  const renderOutfile = async (): Promise<string> =>
    format === "html"
      ? (await import("../../../report/html.ts")).perfHtml(report, charts)
      : format === "json"
      ? JSON.stringify(render.perfJson(report), null, 2) + "\n"
      : format === "csv"
      ? await render.perfCsv(report)
      : await render.perfMarkdown(
        report,
        chartsDir === undefined ? "" : chartLinks(outfile!, chartsDir, charts),
      );
  if (outfile !== undefined) files.push([outfile, ""]);
  // Threshold alerts (spec D1.5): evaluated on the report, delivered after it is computed; a delivery failure
  // is logged, counted and noted, never an error of the report.
  const { evaluateAlerts } = await import("../../../report/alerts/rules.ts");
  const { correlationMatrix } = await import("../../../report/charts/mod.ts");
  const traded = symbolReturns ? [...new Set(report.trades.map((t) => t.symbol))].sort() : [];
  const alerts = evaluateAlerts(
    report.metrics.sharpe,
    traded,
    correlationMatrix(traded.map((s) => symbolReturns!.get(s)!)),
    rc.alerts,
  );
  report.alerts = alerts.map((a) => ({
    rule: a.rule,
    summary: a.summary,
    value: a.value,
    threshold: a.threshold,
  }));
  if (alerts.length > 0) {
    const { deliverAlerts } = await import("../../../report/alerts/deliver.ts");
    const outcomes = await deliverAlerts(alerts, `${report.source} ${report.from} → ${report.to}`, {
      config: rc.alerts,
      env: ctx.env,
      log: ctx.log,
      statePath: `${await ctx.dataDir()}/reports/alerts_state.json`,
    });
    if (outcomes.length === 0) {
      report.notes.push(`${alerts.length} alert(s) triggered; no alert channel configured (report.alerts)`);
    }
    for (const o of outcomes) {
      report.notes.push(
        `alerts via ${o.channel}: ${o.sent} sent, ${o.deduped} deduped, ${o.failed} failed` +
          (o.error ? ` (${o.error})` : ""),
      );
    }
  }
  // Outputs last: everything above either succeeded or threw before a byte was written.
  if (outfile !== undefined) {
    const i = files.findIndex(([p]) => p === outfile);
    files[i][1] = await renderOutfile();
  }
  const { atomicWriteFile } = await import("../../../util/atomic_write.ts");
  for (const [path, data] of files) await atomicWriteFile(path, data);
  if (ctx.globals.json) ctx.out(JSON.stringify(render.perfJson(report)));
  else {
    for (const line of render.summaryLines(report)) ctx.out(line);
    if (outfile !== undefined) ctx.out(`wrote ${outfile} (${format})`);
    if (chartsDir !== undefined) ctx.out(`wrote ${charts.length} charts (svg, png) to ${chartsDir}`);
  }
  return 0;
};
