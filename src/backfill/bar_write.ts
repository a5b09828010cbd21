import type { ColdTables } from "../data/cold/store.ts";
import type { RowInput } from "../data/cold/batch.ts";
import type { WriteOptions, WriteResult } from "../data/cold/types.ts";
import type { ValidateConfig } from "../config/sections/validate.ts";
import { writeValidated } from "../data/validate/write.ts";
import { InputError } from "../util/errors.ts";
import { MINUTE_MS, type MinuteBar } from "./minute_bars.ts";

/**
 * THE write of backfilled and imported bars into the cold tier (one function, so that the validation layer
 * wraps every bar `backfill` and `cold import` write in one place). Merge rule: a bar whose (ts, symbol) is
 * already stored with the same values is not written again; with other values the stored bar wins (counted
 * as kept) unless `overwrite`, which replaces it (deleted through the cold tier's crash-safe moveRows, then
 * written). The write itself is one atomic cold commit.
 *
 * Two shapes of input: an array (a backfill batch: the stored bars of its range are read and compared, so
 * `overwrite` can replace them), or a stream (a bulk import, too large to hold: the cold write compares each
 * day with what is stored as it goes and skips a differing key, so the stored bar wins; `overwrite` is refused
 * for a stream). A stream's rows must already be checked (a bad row fails the whole write).
 *
 * With `validate` (config `validate.*`), the bars go through the validation layer on the way in
 * (`writeValidated`, issue 17): `on_write: quarantine` sends flagged bars to `quarantine/<table>` instead of
 * the table, `reject` fails the write naming the first flagged bar, `off` writes them as they are.
 */

export interface BarWriteOptions {
  table: string;
  overwrite: boolean;
  /** Recorded in the lock and the manifest. */
  command: string;
  /** Wait for another writer of the table (ms). */
  waitMs?: number;
  signal?: AbortSignal;
  /** The validation layer's settings (`validate.*`); absent = no validation. */
  validate?: ValidateConfig;
}

export interface BarWriteResult {
  /** Bars committed by this write. */
  written: number;
  /** Bars already stored with identical values. */
  identical: number;
  /** Stored bars with other values that were kept (existing wins). */
  kept: number;
  /** Stored bars with other values that were replaced (--overwrite). */
  replaced: number;
  snapshot: number | null;
  /** Day partitions the write touched. */
  partitions: string[];
  /** Bars the validation layer sent to quarantine/<table> (validate.on_write: quarantine). */
  quarantined: number;
}

/** One cold write of bars, through the validation layer when `validate` is given. */
async function write(
  tables: ColdTables,
  o: BarWriteOptions,
  rows: readonly RowInput[] | AsyncIterable<RowInput>,
  opts: WriteOptions,
): Promise<{ write: WriteResult; quarantined: number }> {
  if (!o.validate || o.validate.on_write === "off") {
    return { write: await tables.table(o.table).write(rows, opts), quarantined: 0 };
  }
  const r = await writeValidated(tables, o.table, rows, o.validate, opts);
  return { write: r.write, quarantined: r.quarantined + r.alreadyQuarantined };
}

const VALUE_COLS = ["open", "high", "low", "close", "volume", "vwap", "trades"] as const;

function same(a: unknown, b: unknown): boolean {
  const na = a === null || a === undefined || (typeof a === "number" && a !== a);
  const nb = b === null || b === undefined || (typeof b === "number" && b !== b);
  if (na || nb) return na && nb;
  return a === b;
}

export async function writeBars(
  tables: ColdTables,
  input: readonly MinuteBar[] | AsyncIterable<RowInput>,
  o: BarWriteOptions,
): Promise<BarWriteResult> {
  const out: BarWriteResult = {
    written: 0,
    identical: 0,
    kept: 0,
    replaced: 0,
    snapshot: null,
    partitions: [],
    quarantined: 0,
  };
  const table = tables.table(o.table);
  if (!Array.isArray(input)) {
    if (o.overwrite) {
      throw new InputError(`overwrite: not available for a streamed bar write (table ${o.table})`);
    }
    const { write: r, quarantined } = await write(tables, o, input as AsyncIterable<RowInput>, {
      command: o.command,
      waitMs: o.waitMs,
      signal: o.signal,
      skipInvalid: true,
    });
    return {
      ...out,
      quarantined,
      written: r.rows,
      identical: r.alreadyStored,
      kept: r.skipped.conflict ?? 0,
      snapshot: r.snapshot,
      partitions: r.partitions,
    };
  }
  const bars = input as readonly MinuteBar[];
  if (bars.length === 0) return out;
  const sorted = [...bars].sort((a, b) =>
    a.ts - b.ts || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0)
  );
  const symbols = [...new Set(sorted.map((b) => b.symbol))];
  const range = { from: sorted[0].ts, to: sorted[sorted.length - 1].ts + MINUTE_MS - 1 };
  const key = (ts: number, s: string) => `${ts}\u0000${s}`;
  const want = new Map<string, MinuteBar>();
  for (const b of sorted) want.set(key(b.ts, b.symbol), b);
  const cols = table.schema.fields.map((f) => f.name);
  const replace: RowInput[] = [];
  for await (const r of table.read(range, { symbols, columns: cols, signal: o.signal })) {
    const k = key(r.ts as number, r.symbol as string);
    const b = want.get(k);
    if (!b) continue;
    if (VALUE_COLS.every((c) => !cols.includes(c) || same(r[c], b[c]))) {
      out.identical++;
      want.delete(k);
    } else if (o.overwrite) {
      replace.push({ ts: b.ts, symbol: b.symbol });
      out.replaced++;
    } else {
      out.kept++;
      want.delete(k);
    }
  }
  if (want.size === 0) return out;
  if (replace.length > 0) {
    await tables.moveRows(o.table, null, replace, { command: o.command, waitMs: o.waitMs, signal: o.signal });
  }
  const { write: r, quarantined } = await write(tables, o, [...want.values()] as RowInput[], {
    command: o.command,
    waitMs: o.waitMs,
    signal: o.signal,
  });
  out.quarantined = quarantined;
  out.written = r.rows;
  out.snapshot = r.snapshot;
  out.partitions = r.partitions;
  return out;
}
