/**
 * 1-minute bars from trades (pure, no I/O): ts = the minute's open (epoch ms, UTC), open/high/low/close of
 * the trade prices in venue order, volume = Σ qty (base currency), vwap = Σ price·qty / Σ qty, trades = the
 * number of trades. A minute without a trade has no bar (never a flat bar carried forward). Which minutes
 * are complete — and so may be written — is the caller's decision (`take(before)`): only the venue knows
 * whether more trades of a minute are still to come.
 */

export const MINUTE_MS = 60_000;

/** A bar of the cold table ohlcv_1m. */
export interface MinuteBar {
  ts: number;
  symbol: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  vwap: number | null;
  trades: number;
  [k: string]: number | string | null;
}

export const minuteOf = (ts: number): number => Math.floor(ts / MINUTE_MS) * MINUTE_MS;
export const nextMinuteAtOrAfter = (ts: number): number => Math.ceil(ts / MINUTE_MS) * MINUTE_MS;

/**
 * Aggregates one symbol's trades, given in time order. `add` is the hot loop (no allocation except one bar
 * per minute); a trade older than the open minute is refused (the venue's order is the only order).
 */
export class MinuteAggregator {
  #bars: MinuteBar[] = [];
  #cur: MinuteBar | null = null;
  #pq = 0;
  /** The newest minute opened so far: an older trade cannot be placed. */
  #floor = -Infinity;

  constructor(readonly symbol: string) {}

  add(ts: number, price: number, qty: number): void {
    if (!(price > 0) || !(qty > 0) || !Number.isFinite(ts)) {
      throw new RangeError(`trade ${this.symbol} at ${ts}: price and qty must be > 0 (${price}, ${qty})`);
    }
    const m = ts - (ts % MINUTE_MS + MINUTE_MS) % MINUTE_MS;
    let b = this.#cur;
    if (b === null || m !== b.ts) {
      if (m < this.#floor) {
        throw new RangeError(`trade ${this.symbol} at ${ts}: older than the open minute ${this.#floor}`);
      }
      this.#floor = m;
      this.#close();
      b = this.#cur = {
        ts: m,
        symbol: this.symbol,
        open: price,
        high: price,
        low: price,
        close: price,
        volume: 0,
        vwap: null,
        trades: 0,
      };
    }
    if (price > b.high) b.high = price;
    else if (price < b.low) b.low = price;
    b.close = price;
    b.volume += qty;
    this.#pq += price * qty;
    b.trades++;
  }

  #close(): void {
    const b = this.#cur;
    if (b === null) return;
    // Σp·q/Σq can land an ulp outside [low, high] (a one-price minute): clamped, as the row check requires.
    b.vwap = b.volume > 0 ? Math.min(b.high, Math.max(b.low, this.#pq / b.volume)) : null;
    this.#bars.push(b);
    this.#cur = null;
    this.#pq = 0;
  }

  /** Removes and returns the bars of minutes that began before `before` (ms), oldest first. */
  take(before: number): MinuteBar[] {
    if (this.#cur !== null && this.#cur.ts + MINUTE_MS <= before) this.#close();
    const bars = this.#bars;
    let n = 0;
    while (n < bars.length && bars[n].ts < before) n++;
    return bars.splice(0, n);
  }

  /** Minutes held (closed or open), for memory bounds. */
  get pending(): number {
    return this.#bars.length + (this.#cur === null ? 0 : 1);
  }
}

/** The straightforward aggregation of a whole trade list (tests and the bench compare against it). */
export function barsOf(
  symbol: string,
  trades: Iterable<{ ts: number; price: number; qty: number }>,
): MinuteBar[] {
  const a = new MinuteAggregator(symbol);
  for (const t of trades) a.add(t.ts, t.price, t.qty);
  return a.take(Infinity);
}
