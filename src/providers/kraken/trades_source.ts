import { sleepUnlessAborted } from "../../util/sleep.ts";

const defaultSleep = (ms: number, signal?: AbortSignal): Promise<boolean> =>
  signal ? sleepUnlessAborted(ms, signal) : new Promise((r) => setTimeout(() => r(true), ms));
import { KrakenError } from "./errors.ts";
import type { KrakenRest, RestTrade } from "./rest.ts";

/**
 * Pages Kraken's public `Trades` endpoint forward from a cursor (`since`, nanoseconds since the epoch, the
 * `last` of the previous page). Every call goes through the REST client and so through its rate-limit
 * counter (rate_limit.ts); a refusal (`EAPI:Rate limit exceeded`, HTTP 429) that outlasts the client's own
 * retries is waited out here with a doubling backoff and the SAME cursor is asked again: a refused call
 * never yields a page, so it is never counted as data (an empty page is only the venue saying "no trades").
 *
 * Kraken answers `since` inclusively at the boundary (a trade whose time equals the cursor may come again
 * on the next page): trades are de-duplicated by trade id when the venue gives one, else by time and content
 * (two identical trades at the same instant, split across a page boundary, would be taken as one: Kraken has
 * sent trade ids since 2023, so this only concerns old recordings).
 */

export interface TradesPage {
  /** Trades of this page after the cursor it was asked with, in venue order (oldest first). */
  trades: RestTrade[];
  /** The cursor the page was asked with (ns). */
  since: string;
  /** The venue's `last` (ns): the cursor of the next page. */
  last: string;
  /** Refusals (rate limit) waited out before this page came. */
  refusals: number;
}

export interface TradesSourceOptions {
  /** The venue's pair name (altname XBTUSD or key XXBTZUSD). */
  pair: string;
  /** First cursor (ns since the epoch, decimal text). */
  since: string;
  /** Stop after the page holding a trade at or after this time (epoch ms). */
  untilMs: number;
  /** Trades per page asked for (Kraken: 1..1000). */
  count?: number;
  signal?: AbortSignal;
  /** First wait after a refusal that outlasted the client's retries (ms; doubles, capped at maxBackoffMs). */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Injectable for tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<boolean>;
}

/** ns cursor (decimal text) of an epoch-ms time. */
export function cursorOfMs(ms: number): string {
  return (BigInt(Math.floor(ms)) * 1_000_000n).toString();
}

/** Epoch ms of a ns cursor. */
export function msOfCursor(cursor: string): number {
  return Number(BigInt(cursor) / 1_000_000n);
}

export function isRefusal(err: unknown): boolean {
  return err instanceof KrakenError && err.kind === "rate_limit";
}

/**
 * Yields pages from `since` until a page reaches `untilMs`, or the venue has nothing newer (an empty page,
 * or a `last` that does not advance). The caller decides what is complete: a page's trades are all the
 * venue's trades between its `since` and the page's newest trade.
 */
export async function* krakenTradePages(
  rest: Pick<KrakenRest, "trades">,
  o: TradesSourceOptions,
): AsyncGenerator<TradesPage> {
  const sleep = o.sleep ?? defaultSleep;
  const base = o.backoffMs ?? 1_000;
  const cap = o.maxBackoffMs ?? 60_000;
  let cursor = o.since;
  let lastId: number | undefined;
  let lastTs = msOfCursor(cursor);
  /** The trades seen at lastTs (without ids, how a repeat at the cursor is recognised). */
  const atLast = new Set<string>();
  while (true) {
    o.signal?.throwIfAborted();
    let refusals = 0;
    let res;
    while (true) {
      try {
        res = await rest.trades(o.pair, { since: cursor, count: o.count ?? 1000 }, o.signal);
        break;
      } catch (err) {
        if (!isRefusal(err) || o.signal?.aborted) throw err;
        refusals++;
        const wait = Math.min(cap, base * 2 ** Math.min(refusals - 1, 16));
        if (!(await sleep(wait, o.signal))) throw o.signal?.reason ?? err;
      }
    }
    const fresh: RestTrade[] = [];
    for (const t of res.trades) {
      if (t.tradeId !== undefined && lastId !== undefined) {
        if (t.tradeId <= lastId) continue;
      } else {
        // Without trade ids: a trade older than the newest seen, or one seen at that same time, is a repeat.
        if (t.ts < lastTs) continue;
        const k = `${t.price} ${t.qty} ${t.side} ${t.ordType}`;
        if (t.ts === lastTs && atLast.has(k)) continue;
      }
      fresh.push(t);
      if (t.tradeId !== undefined) lastId = t.tradeId;
      if (t.ts !== lastTs) atLast.clear();
      atLast.add(`${t.price} ${t.qty} ${t.side} ${t.ordType}`);
      lastTs = t.ts;
    }
    const advanced = res.last !== cursor && BigInt(res.last) > BigInt(cursor);
    yield { trades: fresh, since: cursor, last: res.last, refusals };
    if (fresh.length === 0 || !advanced) return;
    if (fresh[fresh.length - 1].ts >= o.untilMs) return;
    cursor = res.last;
  }
}
