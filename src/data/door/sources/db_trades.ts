import type { TradePrint } from "../../../market/trade.ts";
import type { Persistence } from "../../../persistence/types.ts";
import type { DoorSource, SourceResult } from "../port.ts";

/** Trades read per symbol and window (newest first in the database, then served oldest first). */
export const DB_TRADES_LIMIT = 10_000;

/**
 * The database's trades table (written by live ingest when persistence is enabled) as the cold source of
 * trades (`cold:db`), for every venue. The database opens on the first read, never before (a scan that reads
 * no trades never starts it). A window holding more than DB_TRADES_LIMIT trades is served its newest
 * DB_TRADES_LIMIT.
 */
export function dbTradesSource(o: {
  id: string;
  /** Opens the database (persistence disabled: rejects naming the flag). */
  open: () => Promise<Persistence>;
}): DoorSource<TradePrint> {
  let db: Promise<Persistence> | undefined;
  const conn = () => {
    if (!db) {
      db = o.open();
      db.catch(() => (db = undefined)); // a failed open is retried on the next read
    }
    return db;
  };
  return {
    id: o.id,
    tier: "cold",
    maxAgeMs: null,
    covers: () => true,
    async read(req) {
      const p = await conn();
      const to = req.live ? req.now : req.to;
      const from = Number.isFinite(req.from) ? req.from : 0;
      const out = new Map<string, SourceResult<TradePrint>>();
      for (const symbol of req.symbols) {
        const stored = await p.trades.listBySymbol(symbol, { from, to }, DB_TRADES_LIMIT, {
          signal: req.signal,
        });
        const rows: TradePrint[] = stored.filter((t) => t.venue === req.venue).reverse().map((t) => ({
          symbol: t.symbol,
          price: t.price,
          qty: t.qty,
          side: t.side,
          ts: t.ts.getTime(),
          ...(typeof t.attributes?.ord_type === "string" ? { ordType: t.attributes.ord_type } : {}),
          ...(t.trade_id !== undefined && /^\d+$/.test(t.trade_id) ? { tradeId: Number(t.trade_id) } : {}),
        }));
        out.set(symbol, rows.length ? { rows, observedAt: rows[rows.length - 1].ts } : { miss: "miss" });
      }
      return out;
    },
    async close() {
      const p = db;
      db = undefined;
      if (p) await (await p.catch(() => undefined))?.close();
    },
  };
}
