import type { Trade } from "./types.ts";

/**
 * How many distinct (millisecond, trade content) occurrence counters one keyer keeps. Counters are dropped
 * oldest first beyond this, so memory stays bounded on long streams; identical fills are counted exactly as
 * long as they arrive within this many distinct trades of each other (time-ordered feeds always do).
 */
const MAX_COUNTERS = 200_000;

/**
 * The idempotency key stored in `trades.trade_key` (migration 0004), unique per (venue, symbol, trade_key, ts):
 *  - `id:<trade_id>` when the venue gave a trade id (Kraken's `trade_id`) — exact;
 *  - otherwise `c:<side>:<price>:<qty>:<order_id>#<n>`, the trade's content plus its occurrence number `n`
 *    among identical trades at the same millisecond in one call. Re-sending the same trades (a retried batch,
 *    a replayed file) therefore lands each exactly once, while genuinely repeated fills in one feed keep
 *    distinct keys, also when other trades arrive between them (interleaved symbols, out-of-order input).
 */
export function newTradeKeyer(): (t: Trade) => string {
  const seen = new Map<string, number>();
  return (t) => {
    if (t.trade_id !== undefined) return `id:${t.trade_id}`;
    const base = `c:${t.side}:${t.price}:${t.qty}:${t.order_id ?? ""}`;
    const scope = `${t.ts.getTime()}\u0000${t.venue}\u0000${t.symbol}\u0000${base}`;
    const n = seen.get(scope);
    if (n === undefined) {
      if (seen.size >= MAX_COUNTERS) seen.delete(seen.keys().next().value!);
      seen.set(scope, 1);
      return `${base}#0`;
    }
    seen.set(scope, n + 1);
    return `${base}#${n}`;
  };
}

/** The venue trade id inside a key, when the key was built from one. */
export function tradeIdOf(key: string | null): string | undefined {
  return key?.startsWith("id:") ? key.slice(3) : undefined;
}
