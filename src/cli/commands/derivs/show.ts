import type { CommandContext, Handler, ParsedArgs } from "../../command.ts";
import { DERIVS_COLUMNS, type DerivsParse, type DerivsRow } from "../../../market/derivs.ts";
import { DERIVS_VENUES, type DerivsVenue } from "../../../providers/derivs_port.ts";
import { InputError, show, UsageError } from "../../../util/errors.ts";
import { isoMs, parseTime } from "../../../util/time.ts";
import { symbolsFlag } from "../../flags.ts";

/** `--venue` checked against the venues this build knows. */
export function venueFlag(raw: unknown): DerivsVenue {
  if (typeof raw !== "string" || raw === "") {
    throw new UsageError(`--venue: required (one of ${DERIVS_VENUES.join(", ")})`);
  }
  if (!(DERIVS_VENUES as readonly string[]).includes(raw)) {
    throw new UsageError(
      `--venue: unknown derivatives venue ${show(raw)} (one of ${DERIVS_VENUES.join(", ")})`,
    );
  }
  return raw as DerivsVenue;
}

const fmt = (v: unknown): string => {
  if (v === null || v === undefined) return "-";
  if (typeof v === "number") {
    return Math.abs(v) < 1e-3 && v !== 0 ? v.toExponential(4) : String(+v.toPrecision(8));
  }
  return String(v);
};

export function printRows(ctx: CommandContext, rows: DerivsRow[]): void {
  const cols = DERIVS_COLUMNS.filter((c) => c !== "venue" && c !== "source");
  const cells = rows.map((r) => cols.map((c) => c === "ts" ? isoMs(r.ts) : fmt(r[c])));
  const w = cols.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)));
  ctx.out(cols.map((c, i) => c.padEnd(w[i])).join("  "));
  for (const r of cells) ctx.out(r.map((c, i) => c.padEnd(w[i])).join("  "));
}

function printParse(ctx: CommandContext, venue: string, p: DerivsParse): void {
  if (ctx.globals.json) {
    ctx.out(JSON.stringify({ venue, rows: p.rows, quarantined: p.quarantined, skipped: p.skipped }));
    return;
  }
  printRows(ctx, p.rows);
  for (const q of p.quarantined) ctx.out(`quarantined ${q.row.symbol} ${isoMs(q.row.ts)}: ${q.reason}`);
  for (const s of p.skipped) ctx.out(`skipped ${s.what}: ${s.reason}`);
  ctx.out(
    `${p.rows.length} rows, ${p.quarantined.length} quarantined, ${p.skipped.length} skipped (${venue})`,
  );
}

export const run: Handler = async (ctx: CommandContext, args: ParsedArgs): Promise<number> => {
  const venue = venueFlag(args.values.venue);
  const replay = args.values.replay as string | undefined;
  const symbols = args.values.symbols as string | undefined;
  const from = args.values.from as string | undefined;
  const to = args.values.to as string | undefined;
  if (replay !== undefined) {
    if (from !== undefined || to !== undefined) {
      throw new UsageError("derivs show: --from/--to read stored history; they do not apply to --replay");
    }
    if (symbols !== undefined && symbols.includes(",")) {
      throw new UsageError(`--symbols: with --replay, one instrument (PF_XBTUSD), found ${show(symbols)}`);
    }
    const cfg = await ctx.config();
    const { parseReplayFile } = await import("../../../providers/derivs_replay.ts");
    const { limitsOf } = await import("../../../providers/derivs_limits.ts");
    const parsed = await parseReplayFile(venue, replay, limitsOf(cfg.derivs), { symbol: symbols });
    // --symbols filters every row kind of the file (funding, snapshots, candles, dated futures); one that
    // matches nothing is exit 1 naming it.
    let p = parsed;
    if (symbols !== undefined) {
      const { replaySelector, selectReplay } = await import("../../../providers/derivs_select.ts");
      p = selectReplay(parsed, await replaySelector(venue, symbols), replay);
    }
    printParse(ctx, venue, p);
    if (p.rows.length === 0 && p.quarantined.length === 0) {
      // Like `ingest --replay` of the same file: nothing in it is a row (every entry skipped, listed above).
      throw new InputError(`${venue}: no row in ${replay} (${p.skipped.length} entr(ies) skipped)`);
    }
    return 0;
  }
  if (symbols === undefined || from === undefined || to === undefined) {
    throw new UsageError(
      "derivs show: give --replay FILE, or --symbols, --from and --to to read stored history",
    );
  }
  const range = { from: parseTime(from, "--from"), to: parseTime(to, "--to") };
  if (range.from > range.to) throw new UsageError(`--from ${from} is after --to ${to}`);
  // Normalised like every --symbols of stored data (xbt-usd = BTC/USD); not a USD pair → exit 2.
  const list = symbolsFlag(args, "symbols") ?? [];
  if (list.length === 0) {
    throw new UsageError(`--symbols: expected pairs like BTC/USD, found ${show(symbols)}`);
  }
  const { readStoredDerivs } = await import("../../../data/derivs/read.ts");
  const read = await readStoredDerivs(
    {
      config: await ctx.config(),
      dataDir: await ctx.dataDir(),
      env: ctx.env,
      log: ctx.log,
      signal: ctx.signal,
    },
    venue,
    list,
    range,
  );
  if (ctx.globals.json) {
    const out: Record<string, unknown> = {};
    for (const [s, a] of read) {
      out[s] = { rows: a.rows, served_by: a.served_by, age_ms: a.age_ms, stale: a.stale, chain: a.chain };
    }
    ctx.out(JSON.stringify({ venue, from: range.from, to: range.to, symbols: out }));
    // As without --json: no row stored in the window is exit 1 (the object still shows the chain).
    return [...read.values()].some((a) => a.rows.length > 0) ? 0 : 1;
  }
  let n = 0;
  for (const [s, a] of read) {
    ctx.out(
      `${s} (${a.served_by ? a.served_by.source : "no source"}; ${a.chain.join(" → ") || "-"})`,
    );
    printRows(ctx, a.rows);
    n += a.rows.length;
  }
  if (n === 0) {
    ctx.out(`no ${venue} rows for ${list.join(",")} in [${isoMs(range.from)}, ${isoMs(range.to)}]`);
    return 1;
  }
  return 0;
};
