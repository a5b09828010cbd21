import { positiveInt } from "../../flags.ts";
import type { Handler } from "../../command.ts";
import type { ScanOutput } from "../../../scan/engine.ts";
import { createProgress } from "../../../util/progress.ts";
import { UsageError } from "../../../util/errors.ts";
import { isoMs, parseTime } from "../../../util/time.ts";

const SYMBOL_RE = /^[A-Z0-9]+\/[A-Z0-9]+$/;

function listFlag(v: unknown, flag: string, re: RegExp, example: string): string[] | undefined {
  if (v === undefined) return undefined;
  const items = (Array.isArray(v) ? v : [v]).flatMap((x) => String(x).split(",")).map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw new UsageError(`${flag}: empty list`);
  for (const it of items) {
    if (!re.test(it)) throw new UsageError(`${flag}: expected ${example}, found ${JSON.stringify(it)}`);
  }
  return [...new Set(items)];
}

export const run: Handler = async (ctx, args) => {
  const v = args.values;
  const asOf = v["as-of"] !== undefined ? parseTime(String(v["as-of"]), "--as-of") : undefined;
  const universe = listFlag(v.universe, "--universe", SYMBOL_RE, "symbols like BTC/USD,ETH/USD");
  const quotes = listFlag(v.quote, "--quote", /^[A-Z0-9]+$/, "quote currencies like USD or USDT");
  const top = positiveInt(args, "top", 100_000);
  const explain = v.explain === undefined ? undefined : String(v.explain);
  if (explain !== undefined && !SYMBOL_RE.test(explain)) {
    throw new UsageError(`--explain: expected a symbol like BTC/USD, found ${JSON.stringify(explain)}`);
  }
  // --explain names a symbol of this scan: checked on the computed scan, before anything is stored or
  // published, so a typo exits 2 having written nothing.
  const explainRow = (out: ScanOutput) => {
    const row = out.results.find((r) => r.symbol === explain);
    if (row) return row;
    const sk = out.skipped.find((x) => x.symbol === explain);
    throw new UsageError(
      `--explain: ${explain} is not in this scan as of ${isoMs(out.asOf)}${
        sk ? ` (skipped: ${sk.reason})` : ""
      }` +
        ` — scanned: ${out.results.map((r) => r.symbol).join(",") || "nothing"}`,
    );
  };
  const cfg = await ctx.config();
  const dataDir = await ctx.dataDir();
  // The scan (cold tier, persistence, stream) is loaded only now, after every flag was checked.
  const { runScanPipeline } = await import("../../../scan/pipeline.ts");
  const { explainJson, explainText, scanJson, scanTable } = await import("../../../scan/render.ts");
  const report = await runScanPipeline({
    config: cfg,
    dataDir,
    env: ctx.env,
    log: ctx.log,
    signal: ctx.signal,
    progress: (title, total, unit) => createProgress(ctx.interactive, title, total, unit),
  }, {
    asOf,
    universe,
    quotes,
    dryRun: v["dry-run"] === true,
    beforeSinks: explain === undefined ? undefined : (out) => void explainRow(out),
  });
  const out = report.output;
  const notes = [...report.notes];
  if (report.asOfSource === "last closed bar") {
    notes.push(`as-of = the close of the last bar in the store (no live books in the hot tier)`);
  } else if (report.asOfSource === "now (live books)") {
    notes.push(`as-of = now (the hot tier holds live ${cfg.scan.venue} books)`);
  }
  const s = report.sinks;
  if (!v["dry-run"]) {
    notes.push(
      `stored ${s.premoveStored} premove artifacts${
        s.regimeStored ? " and a regime snapshot" : ""
      }; published ${s.published} envelopes` +
        (s.published > 0 ? ` to ${cfg.scan.topic} (${cfg.stream.kind})` : ""),
    );
  }
  notes.push(...s.skipped);
  // What was printed stands; a sink that failed is reported on its own and the run fails (exit 1).
  const sinksOk = (): number => {
    if (s.failed.length === 0) return 0;
    throw new Error(`scan ranked ${out.results.length} pairs (printed) but ${s.failed.join("; ")}`);
  };
  if (explain !== undefined) {
    const row = explainRow(out);
    if (ctx.globals.json) ctx.out(JSON.stringify(explainJson(out, row)));
    else for (const line of explainText(out, row)) ctx.out(line);
    return sinksOk();
  }
  const meta = { notes, top: top ?? cfg.scan.top };
  if (ctx.globals.json) ctx.out(JSON.stringify(scanJson(out, meta)));
  else for (const line of scanTable(out, meta)) ctx.out(line);
  return sinksOk();
};
