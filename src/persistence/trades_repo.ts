import { InputError } from "../util/errors.ts";
import type { TimeRange } from "../util/time.ts";
import { type Attempt, type CallPolicy, runCall } from "./call.ts";
import { copyLine } from "./copy_text.ts";
import type { Db, Sql } from "./db.ts";
import { newTradeKeyer, tradeIdOf } from "./trade_key.ts";
import { inTransaction, type Tx } from "./transaction.ts";
import {
  type CallOptions,
  type InsertManyResult,
  type StoredTrade,
  type Trade,
  type TradeInput,
  TradeSchema,
  type TradesRepo,
} from "./types.ts";
import { parseRow } from "./validate.ts";
import { validRange, validSymbol } from "./read_args.ts";

/** A validated trade plus its idempotency key, ready for SQL. */
interface TradeRow {
  t: Trade;
  key: string;
}

/** The columns every trade write names, in COPY-line order. */
export const TRADE_COLUMNS = "ts, symbol, venue, side, price, qty, order_id, attributes, trade_key";
const CONFLICT = "(venue, symbol, trade_key, ts)";
const KEY_INDEX = "trades_trade_key_uniq";

/** One trade as a line of COPY text in `TRADE_COLUMNS` order (`trades (…) FROM STDIN`; bench/db_insert.ts too). */
export function tradeCopyLine(t: Trade, key: string): string {
  return copyLine([
    t.ts.toISOString(),
    t.symbol,
    t.venue,
    t.side,
    t.price,
    t.qty,
    t.order_id,
    JSON.stringify(t.attributes ?? {}),
    key,
  ]);
}

function copyChunks(rows: TradeRow[], linesPerChunk = 2_000): Iterable<string> {
  return {
    *[Symbol.iterator]() {
      for (let i = 0; i < rows.length; i += linesPerChunk) {
        let s = "";
        for (const { t, key } of rows.slice(i, i + linesPerChunk)) s += tradeCopyLine(t, key);
        yield s;
      }
    },
  };
}

/** Raised when a COPY failed but npm:postgres did not report why (see copyInto). */
class CopyAborted extends Error {
  override name = "CopyAborted";
}

/**
 * COPY rows into `table` inside the transaction `tx`, honouring backpressure; cancelled when the call aborts.
 * npm:postgres 3.4.9 drops an error that arrives after the COPY stream ended (the writable never finishes),
 * so a follow-up statement in the same transaction surfaces the failure (SQLSTATE 25P02) as CopyAborted.
 */
async function copyInto(tx: Tx, a: Attempt, table: string, rows: TradeRow[]): Promise<void> {
  const q = a.track(tx.unsafe(`COPY ${table} (${TRADE_COLUMNS}) FROM STDIN`));
  const w = await q.writable();
  let failure: Error | undefined;
  w.on("error", (e: Error) => (failure = e));
  for (const chunk of copyChunks(rows)) {
    if (failure) throw failure;
    a.signal.throwIfAborted();
    if (!w.write(chunk)) {
      await new Promise<void>((resolve, reject) => {
        const done = (e?: Error) => {
          w.off("drain", done);
          w.off("error", done);
          e ? reject(e) : resolve();
        };
        w.on("drain", done);
        w.on("error", done);
      });
    }
  }
  if (failure) throw failure;
  // The follow-up statement may only be queued once the library has sent CopyDone (its `final` hook ran).
  const finalSent = new Promise<void>((resolve) => {
    const w2 = w as unknown as { _final: (cb: (e?: Error | null) => void) => void };
    const orig = w2._final.bind(w);
    w2._final = (cb) => {
      orig(cb);
      resolve();
    };
  });
  w.end();
  await Promise.race([finalSent, new Promise<never>((_, reject) => w.once("error", reject))]);
  try {
    await a.track(tx`select 1`);
  } catch (err) {
    if (failure) throw failure;
    if ((err as { code?: string }).code === "25P02") throw new CopyAborted(`COPY into ${table} failed`);
    throw err;
  }
}

/** Multi-row insert through `unnest` arrays (one statement per batch), skipping rows whose key exists. */
async function unnestInsert(sql: Sql, a: Attempt, rows: TradeRow[]): Promise<number> {
  const res = await a.track(sql`
    insert into trades (${sql.unsafe(TRADE_COLUMNS)})
    select u.ts::timestamptz, u.symbol, u.venue, u.side, u.price, u.qty, u.order_id, u.attributes::jsonb, u.trade_key
    from unnest(
      ${rows.map((r) => r.t.ts.toISOString())}::text[],
      ${rows.map((r) => r.t.symbol)}::text[],
      ${rows.map((r) => r.t.venue)}::text[],
      ${rows.map((r) => r.t.side)}::text[],
      ${rows.map((r) => r.t.price)}::float8[],
      ${rows.map((r) => r.t.qty)}::float8[],
      ${rows.map((r) => r.t.order_id ?? null)}::text[],
      ${rows.map((r) => JSON.stringify(r.t.attributes ?? {}))}::text[],
      ${rows.map((r) => r.key)}::text[]
    ) as u(ts, symbol, venue, side, price, qty, order_id, attributes, trade_key)
    on conflict ${sql.unsafe(CONFLICT)} do nothing`);
  return res.count;
}

/** Fast path (real Postgres): COPY straight into trades in one transaction; all rows new or it fails. */
async function copyFast(db: Db, a: Attempt, rows: TradeRow[]): Promise<number> {
  await inTransaction(db.sql, (tx) => copyInto(tx, a, "trades", rows));
  return rows.length;
}

/** Dedup path (real Postgres): COPY into a temp table, then insert what is not stored yet. */
async function copyDedup(db: Db, a: Attempt, rows: TradeRow[]): Promise<number> {
  return await inTransaction(db.sql, async (tx) => {
    await a.track(tx.unsafe(
      `CREATE TEMP TABLE trades_stage (ts timestamptz, symbol text, venue text, side text, price float8,
         qty float8, order_id text, attributes jsonb, trade_key text) ON COMMIT DROP`,
    ));
    await copyInto(tx, a, "trades_stage", rows);
    const r = await a.track(
      tx.unsafe(
        `INSERT INTO trades (${TRADE_COLUMNS}) SELECT ${TRADE_COLUMNS} FROM trades_stage ON CONFLICT ${CONFLICT} DO NOTHING`,
      ),
    );
    return r.count;
  });
}

/** The fast path failed because of the idempotency key (or for a reason only the dedup path can name). */
function needsDedup(err: unknown): boolean {
  const e = err as { code?: string; constraint_name?: string };
  return err instanceof CopyAborted || (e?.code === "23505" && e.constraint_name === KEY_INDEX);
}

/** Writes one batch exactly once: COPY when possible, the dedup path after a retry or a key conflict. */
async function writeBatch(db: Db, a: Attempt, rows: TradeRow[]): Promise<number> {
  if (!db.canCopy) return await unnestInsert(db.sql, a, rows);
  // After a transient failure the previous attempt may have committed: only the dedup path is safe.
  if (a.n > 1) return await copyDedup(db, a, rows);
  try {
    return await copyFast(db, a, rows);
  } catch (err) {
    if (!needsDedup(err)) throw err;
    return await copyDedup(db, a, rows);
  }
}

function toStored(r: Record<string, unknown>): StoredTrade {
  const tradeId = tradeIdOf(r.trade_key as string | null);
  const attrs = r.attributes as Record<string, unknown> | null;
  return {
    id: Number(r.id),
    ts: r.ts as Date,
    symbol: r.symbol as string,
    venue: r.venue as string,
    side: r.side as "buy" | "sell",
    price: Number(r.price),
    qty: Number(r.qty),
    ...(r.order_id !== null ? { order_id: r.order_id as string } : {}),
    ...(tradeId !== undefined ? { trade_id: tradeId } : {}),
    ...(attrs && Object.keys(attrs).length ? { attributes: attrs } : {}),
  };
}

async function* asAsync<T>(it: Iterable<T> | AsyncIterable<T>): AsyncIterable<T> {
  yield* it;
}

/** The trades repository (spec B1.2) over either backend. */
export function newTradesRepo(db: Db, policy: CallPolicy): TradesRepo {
  const sql = db.sql;
  return {
    async insert(input: TradeInput, opts?: CallOptions): Promise<InsertManyResult> {
      const t = parseRow(TradeSchema, input, "trades.insert");
      const key = newTradeKeyer()(t);
      const n = await runCall("trades", "insert", policy, opts, async (a) => {
        const r = await a.track(sql`
          insert into trades (${sql.unsafe(TRADE_COLUMNS)})
          values (${t.ts}, ${t.symbol}, ${t.venue}, ${t.side}, ${t.price}, ${t.qty}, ${t.order_id ?? null},
                  (${JSON.stringify(t.attributes ?? {})}::text)::jsonb, ${key})
          on conflict ${sql.unsafe(CONFLICT)} do nothing`);
        return r.count;
      });
      return { inserted: n, duplicates: 1 - n };
    },

    async insertMany(input, opts = {}): Promise<InsertManyResult> {
      const batchSize = opts.batchSize ?? (db.canCopy ? 50_000 : 5_000);
      if (!Number.isInteger(batchSize) || batchSize < 1) {
        throw new InputError(`trades.insertMany: batchSize: expected a positive integer, found ${batchSize}`);
      }
      const keyer = newTradeKeyer();
      const total: InsertManyResult = { inserted: 0, duplicates: 0 };
      let done = 0;
      const flush = async (batch: TradeRow[]) => {
        if (batch.length === 0) return;
        const n = await runCall("trades", "insertMany", policy, opts, (a) => writeBatch(db, a, batch));
        total.inserted += n;
        total.duplicates += batch.length - n;
        done += batch.length;
        opts.onProgress?.(done);
      };
      if (Array.isArray(input)) {
        // A whole array is validated before any SQL runs: a bad row stores nothing.
        const rows = input.map((x, i) => {
          const t = parseRow(TradeSchema, x, "trades.insertMany", i);
          return { t, key: "" };
        });
        for (const r of rows) r.key = keyer(r.t);
        for (let i = 0; i < rows.length; i += batchSize) await flush(rows.slice(i, i + batchSize));
        return total;
      }
      // Streams: each batch is validated before its SQL runs; earlier batches stay stored (re-running is safe).
      let batch: TradeRow[] = [];
      let i = 0;
      for await (const x of asAsync(input)) {
        opts.signal?.throwIfAborted();
        const t = parseRow(TradeSchema, x, "trades.insertMany", i++);
        batch.push({ t, key: keyer(t) });
        if (batch.length >= batchSize) {
          await flush(batch);
          batch = [];
        }
      }
      await flush(batch);
      return total;
    },

    async listBySymbol(symbol, range: TimeRange, limit, opts) {
      const sym = validSymbol("trades.listBySymbol", symbol);
      const r = validRange("trades.listBySymbol", range);
      if (!Number.isInteger(limit) || limit < 1) {
        throw new InputError(`trades.listBySymbol: limit: expected a positive integer, found ${limit}`);
      }
      const rows = await runCall("trades", "listBySymbol", policy, opts, (a) =>
        a.track(sql`
          select id, ts, symbol, venue, side, price, qty, order_id, attributes, trade_key
          from trades
          where symbol = ${sym} and ts >= ${new Date(r.from)} and ts <= ${new Date(r.to)}
          order by ts desc, id desc
          limit ${limit}`));
      return rows.map(toStored);
    },
  };
}
