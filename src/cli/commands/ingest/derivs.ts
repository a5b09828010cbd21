import type { CommandContext, ParsedArgs } from "../../command.ts";
import type { DerivsParse } from "../../../market/derivs.ts";
import type { DerivsVenue } from "../../../providers/derivs_port.ts";
import { show, UsageError } from "../../../util/errors.ts";

/**
 * `ingest --venue krakenfutures|binance|okx|coinbase`: derivatives rows into the cold table `derivs` (and
 * implausible values into `quarantine/derivs`) through the cold write path. `--replay FILE` parses a recorded
 * response (or recording); live ingest fetches each symbol's current snapshot (and, with --from, its funding
 * history) from the venue's REST API behind the provider's circuit breaker.
 */
export async function runDerivsIngest(
  ctx: CommandContext,
  args: ParsedArgs,
  venue: DerivsVenue,
): Promise<number> {
  const v = args.values;
  for (const f of ["duration", "record", "asset-pairs"] as const) {
    if (v[f] !== undefined) throw new UsageError(`--${f} does not apply to --venue ${venue}`);
  }
  const cfg = await ctx.config();
  const { limitsOf } = await import("../../../providers/derivs_limits.ts");
  const limits = limitsOf(cfg.derivs);
  const replay = v.replay as string | undefined;
  let parse: DerivsParse;
  let from: string;
  if (replay !== undefined) {
    if (replay.trim() === "") throw new UsageError(`--replay: empty path`);
    if (v.from !== undefined || v.to !== undefined) {
      throw new UsageError("--from/--to fetch live funding history; they do not apply to --replay");
    }
    const symbols = v.symbols as string | undefined;
    if (symbols !== undefined && symbols.includes(",")) {
      throw new UsageError(`--symbols: with --replay, one instrument (PF_XBTUSD), found ${show(symbols)}`);
    }
    const { parseReplayFile } = await import("../../../providers/derivs_replay.ts");
    parse = await parseReplayFile(venue, replay, limits, { symbol: symbols });
    if (symbols !== undefined) {
      // Only the named instrument's (or pair's) rows are stored, whatever kind of body they came from.
      const { replaySelector, selectReplay } = await import("../../../providers/derivs_select.ts");
      parse = selectReplay(parse, await replaySelector(venue, symbols), replay);
    }
    from = replay;
  } else {
    const raw = v.symbols as string | undefined;
    if (raw === undefined || raw.trim() === "") {
      throw new UsageError(
        `live ingest needs --symbols (e.g. --symbols BTC/USD,ETH/USD), or use --replay FILE`,
      );
    }
    const symbols = raw.split(",").map((s) => s.trim()).filter(Boolean);
    const { openDerivsProvider } = await import("../../../providers/derivs_providers.ts");
    const provider = await openDerivsProvider(venue, cfg, ctx.log);
    const { mergeParses } = await import("../../../providers/derivs_port.ts");
    const parts: DerivsParse[] = [];
    let range: { from: number; to: number } | undefined;
    if (v.from !== undefined) {
      const { parseTime } = await import("../../../util/time.ts");
      range = {
        from: parseTime(v.from as string, "--from"),
        to: v.to === undefined ? Date.now() : parseTime(v.to as string, "--to"),
      };
      if (range.from > range.to) throw new UsageError(`--from ${v.from} is after --to ${v.to}`);
    } else if (v.to !== undefined) throw new UsageError("--to needs --from");
    for (const s of symbols) {
      if (range) parts.push(await provider.fundingWindow(s, range, ctx.signal));
      if (provider.latestAll) {
        // The perpetual and the pair's dated futures, from the one call `latest` makes.
        const all = await provider.latestAll(s, ctx.signal);
        parts.push(
          all.rows.length || all.quarantined.length ? all : {
            rows: [],
            quarantined: [],
            skipped: [{ what: s, reason: `${venue} lists no contract of it` }],
          },
        );
        continue;
      }
      const row = await provider.latest(s, ctx.signal);
      parts.push(
        row ? { rows: [row], quarantined: [], skipped: [] } : {
          rows: [],
          quarantined: [],
          skipped: [{ what: s, reason: `${venue} lists no perpetual for it` }],
        },
      );
    }
    parse = mergeParses(parts);
    from = cfg.derivs[`${venue}_base_url` as const];
  }
  const dryRun = v["dry-run"] === true;
  let written = { rows: 0, quarantined: 0, already: 0 };
  if (!dryRun && (parse.rows.length || parse.quarantined.length)) {
    const { openColdTables } = await import("../../../data/cold/store.ts");
    const { writeDerivs } = await import("../../../data/derivs/write.ts");
    const r = await writeDerivs(openColdTables(cfg.cold, await ctx.dataDir()), parse, {
      now: Date.now(),
      signal: ctx.signal,
    });
    written = {
      rows: r.rows?.rows ?? 0,
      quarantined: r.quarantined?.rows ?? 0,
      already: r.rows?.alreadyStored ?? 0,
    };
  }
  const symbols = [...new Set(parse.rows.map((r) => r.symbol))].sort();
  if (ctx.globals.json) {
    ctx.out(JSON.stringify({
      venue,
      from,
      rows: parse.rows.length,
      quarantined: parse.quarantined.map((q) => ({
        symbol: q.row.symbol,
        ts: q.row.ts,
        check: q.check,
        reason: q.reason,
      })),
      skipped: parse.skipped,
      symbols,
      written: dryRun ? null : written,
      dry_run: dryRun,
    }));
  } else {
    for (const q of parse.quarantined) ctx.out(`quarantined ${q.row.symbol}: ${q.reason}`);
    ctx.out(
      `${venue}: ${parse.rows.length} rows (${
        symbols.join(", ") || "none"
      }), ${parse.quarantined.length} quarantined, ${parse.skipped.length} skipped; ${
        dryRun
          ? "dry run: nothing written"
          : `${written.rows} written to derivs (${written.already} already stored), ${written.quarantined} to quarantine/derivs`
      }`,
    );
  }
  if (parse.rows.length === 0 && parse.quarantined.length === 0) {
    ctx.out(`${venue}: nothing to ingest from ${from}`);
    return 1;
  }
  return 0;
}
