import type { OhlcvRow } from "./ohlcv.ts";
/**
 * Closed 1-minute OHLCV bars built from trade prints (pure, no I/O). A bar is emitted only once it is
 * closed: when a print from a later minute arrives, or when `flush(now)` is called with now ≥ the bar's end.
 * A bar is only emitted when the stream covered its whole minute (`startCoverage`): a session that starts
 * (or reconnects) mid-minute never writes that minute's partial bar as if it were complete (PIT/data quality).
 * Bars are per symbol and per venue (the caller runs one builder per venue). Volume is in the base currency.
 */

export interface TradeLike {
  symbol: string;
  ts: number;
  price: number;
  qty: number;
}

/** A closed 1-minute bar: the cold tier's row shape (ts = bar open, epoch ms, UTC minute). */
export type ClosedBar = OhlcvRow;

export interface BarBuilder {
  /** Adds prints (in time order per symbol); returns bars that closed because of them. */
  add(trades: Iterable<TradeLike>): ClosedBar[];
  /** Closes and returns every open bar whose minute ended at or before `now` (all of them with Infinity). */
  flush(now: number): ClosedBar[];
  /** Prints older than the symbol's open bar (out of order), which cannot be placed in a closed bar. */
  late(): number;
  /**
   * The stream is continuous from `from` on (exchange time of the first message of a session, or of the
   * first message after a reconnect). It was last seen alive at `aliveUntil` (omit for a session's first
   * start). Open bars whose minute ended by `aliveUntil` are complete and returned; the other open bars
   * missed trades during the gap and are dropped; from now on a bar whose minute began before `from` is
   * incomplete and dropped (never emitted as if complete). Without a call, every bar is kept (coverage
   * from −∞).
   */
  startCoverage(from: number, aliveUntil?: number): ClosedBar[];
  /** Bars dropped as incomplete (their minute began before the stream's coverage, or spanned a gap). */
  incomplete(): number;
}

/** Pure: a bar is complete when its whole minute lies inside the coverage (began at or after `from`). */
export function barCovered(bar: { ts: number }, from: number): boolean {
  return bar.ts >= from;
}

export function createBarBuilder(intervalMs = 60_000): BarBuilder {
  const open = new Map<string, ClosedBar>();
  let late = 0;
  let incomplete = 0;
  let coveredFrom = -Infinity;
  const keep = (bar: ClosedBar): boolean => {
    if (barCovered(bar, coveredFrom)) return true;
    incomplete++;
    return false;
  };
  return {
    add(trades) {
      const closed: ClosedBar[] = [];
      for (const t of trades) {
        if (!(t.price > 0) || !(t.qty >= 0) || !Number.isFinite(t.ts)) {
          throw new RangeError(`trade ${t.symbol}: invalid price/qty/ts (${t.price}/${t.qty}/${t.ts})`);
        }
        const start = Math.floor(t.ts / intervalMs) * intervalMs;
        let bar = open.get(t.symbol);
        if (bar && start < bar.ts) {
          late++;
          continue;
        }
        if (bar && start > bar.ts) {
          if (keep(bar)) closed.push(bar);
          bar = undefined;
        }
        if (!bar) {
          bar = {
            ts: start,
            symbol: t.symbol,
            open: t.price,
            high: t.price,
            low: t.price,
            close: t.price,
            volume: 0,
          };
          open.set(t.symbol, bar);
        }
        if (t.price > bar.high) bar.high = t.price;
        if (t.price < bar.low) bar.low = t.price;
        bar.close = t.price;
        bar.volume += t.qty;
      }
      return closed;
    },
    flush(now) {
      const closed: ClosedBar[] = [];
      for (const [sym, bar] of open) {
        if (bar.ts + intervalMs <= now) {
          if (keep(bar)) closed.push(bar);
          open.delete(sym);
        }
      }
      return closed;
    },
    late: () => late,
    startCoverage(from, aliveUntil) {
      if (!Number.isFinite(from)) throw new RangeError(`startCoverage: from must be finite, found ${from}`);
      const closed: ClosedBar[] = [];
      for (const [sym, bar] of open) {
        open.delete(sym);
        const endedInCoverage = aliveUntil !== undefined && bar.ts + intervalMs <= aliveUntil;
        if (!endedInCoverage) incomplete++;
        else if (keep(bar)) closed.push(bar);
      }
      coveredFrom = from;
      return closed;
    },
    incomplete: () => incomplete,
  };
}
