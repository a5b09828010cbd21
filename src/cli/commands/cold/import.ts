import type { CommandContext, ParsedArgs } from "../../command.ts";
import { str } from "../../flags.ts";
import { UsageError } from "../../../util/errors.ts";
import { parseDuration } from "../../../util/time.ts";

/**
 * `cryptorun cold import --kraken-ohlcvt <zip|dir>` / `--kraken-trades <zip|dir>` (loaded only when chosen):
 * Kraken's downloadable history into the cold tier (src/backfill/kraken_import.ts). Wiring only.
 */
export async function runImport(ctx: CommandContext, args: ParsedArgs): Promise<number> {
  const ohlcvt = str(args, "kraken-ohlcvt");
  const trades = str(args, "kraken-trades");
  if ((ohlcvt === undefined) === (trades === undefined)) {
    throw new UsageError(`cold import: give one of --kraken-ohlcvt <zip|dir> or --kraken-trades <zip|dir>`);
  }
  // The source first: a mistyped path is reported before anything is fetched from Kraken.
  const flag = ohlcvt !== undefined ? "--kraken-ohlcvt" : "--kraken-trades";
  const source = (ohlcvt ?? trades)!;
  try {
    await Deno.stat(source);
  } catch (err) {
    throw new UsageError(`${flag}: cannot read ${JSON.stringify(source)}: ${(err as Error).message}`);
  }
  const apFile = str(args, "asset-pairs");
  const w = str(args, "wait");
  const waitMs = w === undefined ? 0 : w === "forever" ? Infinity : parseDuration(w, "--wait");
  const cfg = await ctx.config();
  const { buildSymbolMap } = await import("../../../providers/kraken/symbols.ts");
  let pairs;
  if (apFile) {
    const { loadAssetPairsFile } = await import("../../../providers/kraken/asset_pairs_file.ts");
    pairs = await loadAssetPairsFile(apFile);
  } else {
    const { krakenRestFrom } = await import("../../../providers/kraken/venue.ts");
    pairs = (await krakenRestFrom(cfg.kraken, ctx.log).assetPairs(ctx.signal)).pairs;
  }
  const { openColdTables } = await import("../../../data/cold/store.ts");
  const { importKrakenFiles } = await import("../../../backfill/kraken_import.ts");
  const { createProgress } = await import("../../../util/progress.ts");
  const tables = openColdTables(cfg.cold, await ctx.dataDir(), { log: ctx.log });
  const bar = createProgress(ctx.interactive, "cold import", 1, "bytes");
  let r;
  try {
    r = await importKrakenFiles({
      tables,
      kind: ohlcvt !== undefined ? "ohlcvt" : "trades",
      source,
      symbols: buildSymbolMap(pairs),
      hourTable: cfg.cold.parquet_schema.table,
      minuteTable: cfg.kraken.bars_table,
      command: "cryptorun cold import",
      validate: cfg.validate,
      waitMs,
      signal: ctx.signal,
      onProgress: (done, total) => {
        bar.setTotal(total);
        bar.update(done);
      },
    });
  } finally {
    bar.stop();
  }
  if (ctx.globals.json) {
    ctx.out(JSON.stringify({ ...r, seconds: Number(r.seconds.toFixed(3)) }));
    return 0;
  }
  for (const f of r.files) {
    ctx.out(
      f.skipped ? `${f.file}: skipped: ${f.skipped}` : `${f.file}: ${f.symbol} → ${f.table}, ${f.rows} rows`,
    );
  }
  for (const t of r.tables) {
    ctx.out(
      `${t.table}: ${t.rows_written} rows written in ${t.partitions.length} day partition(s)` +
        (t.snapshot === null ? " (nothing new to commit)" : ` (snapshot ${t.snapshot})`) +
        `, ${t.already_stored} already stored, ${t.kept} kept (stored with other values)`,
    );
  }
  ctx.out(
    `${r.rows} ${r.kind === "trades" ? "bars built from trades" : "rows"} in ${r.seconds.toFixed(2)} s`,
  );
  return 0;
}
