import type { CommandContext, ParsedArgs } from "../../command.ts";
import { positiveInt, str, symbolsFlag } from "../../flags.ts";
import { UsageError } from "../../../util/errors.ts";
import { isoMs, parseDuration, parseRange } from "../../../util/time.ts";

/**
 * `cryptorun backfill` (loaded only when chosen): checks the flags, then loads the venue client, the cold
 * tier and the backfill engine. Wiring only: the rules live in src/backfill/.
 */

const MAX_BATCH_MINUTES = 100_000;

export async function run(ctx: CommandContext, args: ParsedArgs): Promise<number> {
  const venue = str(args, "venue");
  if (venue === undefined) throw new UsageError(`backfill: --venue kraken is required`);
  if (venue !== "kraken") {
    throw new UsageError(`--venue: only kraken is supported, found ${JSON.stringify(venue)}`);
  }
  const symbols = symbolsFlag(args, "symbols");
  if (!symbols || symbols.length === 0) throw new UsageError(`backfill: --symbols BTC/USD,… is required`);
  const from = str(args, "from");
  const to = str(args, "to");
  if (from === undefined || to === undefined) throw new UsageError(`backfill: --from and --to are required`);
  const range = parseRange(from, to);
  if (!(range.to > range.from)) {
    throw new UsageError(`--to: must be after --from (${isoMs(range.from)} .. ${isoMs(range.to)})`);
  }
  const batchMinutes = positiveInt(args, "batch-minutes", MAX_BATCH_MINUTES) ?? 1440;
  const w = str(args, "wait");
  const waitMs = w === undefined ? 0 : w === "forever" ? Infinity : parseDuration(w, "--wait");
  const gapsOnly = args.values.gaps === true;
  const overwrite = args.values.overwrite === true;
  const noTrades = args.values["no-trades"] === true;

  const cfg = await ctx.config();
  const dataDir = await ctx.dataDir();
  const { runBackfill } = await import("../../../backfill/run.ts");
  const report = await runBackfill({
    cfg,
    dataDir,
    env: ctx.env,
    log: ctx.log,
    signal: ctx.signal,
    symbols,
    range,
    gapsOnly,
    overwrite,
    trades: !noTrades,
    batchMinutes,
    waitMs,
    interactive: ctx.interactive,
    json: ctx.globals.json,
    out: (l) => ctx.out(l),
  });
  // --gaps for a symbol with no stored bar in the window did nothing: exit 1 (the report names it).
  return report.failed.length > 0 || report.no_stored_bars.length > 0 ? 1 : 0;
}
