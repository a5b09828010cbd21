import type { TradePrint } from "../../market/trade.ts";
import { applySnapshot, applyUpdate, type Book, bookChecksum, isCrossed, newBook } from "./book.ts";
import {
  type BookEvent,
  FrameError,
  parseFrame,
  type Precision,
  type TickerEvent,
  type WsEvent,
} from "./ws_messages.ts";

/**
 * The feed handler: raw Kraken WebSocket frames in (live or replayed — one code path), verified books,
 * trades and L1 out. It owns one L2 book per symbol and enforces the rules that keep a book honest:
 *
 *  - every update's CRC32 is verified; a v2 snapshot's too (v1 snapshots carry none, so a v1 book becomes
 *    verified at its first matching update);
 *  - on a checksum mismatch, a crossed book, a sequence gap (an update for a book that never had a
 *    snapshot) or a level that cannot be applied (price not positive), the book is counted, dropped and a
 *    resync is requested (live: resubscribe for a fresh snapshot); updates that arrive while waiting for the
 *    new snapshot are discarded. An unusable level is also a FrameError (never a half-applied book);
 *  - `onBook` is called only for verified books.
 */

export type ResyncReason = "checksum" | "crossed" | "gap" | "invalid";

export interface SymbolStats {
  checksum_ok: number;
  checksum_failed: number;
  resyncs: number;
  /** Updates for a book that had no snapshot (sequence gaps). */
  gaps: number;
  crossed: number;
  /** Trade-id discontinuities (v2 trade ids are sequential per pair). */
  trade_gaps: number;
  /** Updates discarded while waiting for a fresh snapshot. */
  discarded: number;
  book_messages: number;
}

export interface FeedHandlers {
  /** A verified book (after a snapshot or update whose checksum matched). `ts` = exchange time (ms). */
  onBook?(symbol: string, book: Book, ts: number | undefined, venueSymbol: string): void;
  onTrades?(symbol: string, trades: TradePrint[]): void;
  onTicker?(ev: TickerEvent): void;
  /** The book was dropped: the caller resubscribes (live) for a fresh snapshot. */
  onResync?(symbol: string, venueSymbol: string, reason: ResyncReason): void;
  onEvent?(ev: WsEvent): void;
}

export interface FeedOptions {
  /** Subscribed depth (v2). v1 frames carry it in the channel name. */
  depth?: number;
  /** Precisions known up front (AssetPairs); `instrument` messages in the stream add to them. */
  precisions?: Map<string, Precision>;
  handlers?: FeedHandlers;
}

interface SymbolState {
  book: Book | null;
  verified: boolean;
  /** True between a drop and the next snapshot. */
  awaitingSnapshot: boolean;
  venueSymbol: string;
  lastTradeId?: number;
  lastTs?: number;
}

export interface Feed {
  /**
   * Handles one frame's text; `recvMs` (receive time) stamps messages that carry no exchange time (v2
   * snapshots). Throws FrameError on a frame Kraken would not send.
   */
  handleFrame(text: string, recvMs?: number): WsEvent[];
  /** Handles already-parsed events (used by the benchmark and tests). */
  handleEvents(events: WsEvent[]): void;
  stats: Map<string, SymbolStats>;
  /** Verified books only. */
  verifiedBook(symbol: string): Book | undefined;
  precisions: Map<string, Precision>;
  /** Number of frames handled. */
  messages(): number;
  /** Marks every book as needing a new snapshot (after a reconnect). */
  resetAll(): void;
}

export function emptyStats(): SymbolStats {
  return {
    checksum_ok: 0,
    checksum_failed: 0,
    resyncs: 0,
    gaps: 0,
    crossed: 0,
    trade_gaps: 0,
    discarded: 0,
    book_messages: 0,
  };
}

const V2_DEPTHS = [10, 25, 100, 500, 1000];

export function createFeed(opts: FeedOptions = {}): Feed {
  const states = new Map<string, SymbolState>();
  const stats = new Map<string, SymbolStats>();
  const precisions = opts.precisions ?? new Map<string, Precision>();
  const subscribedDepth = new Map<string, number>();
  const h = opts.handlers ?? {};
  let frames = 0;
  let recvNow: number | undefined;

  const statsOf = (symbol: string): SymbolStats => {
    let s = stats.get(symbol);
    if (!s) stats.set(symbol, s = emptyStats());
    return s;
  };
  const stateOf = (symbol: string, venueSymbol: string): SymbolState => {
    let s = states.get(symbol);
    if (!s) states.set(symbol, s = { book: null, verified: false, awaitingSnapshot: false, venueSymbol });
    return s;
  };

  function drop(st: SymbolState, symbol: string, reason: ResyncReason): void {
    st.book = null;
    st.verified = false;
    st.awaitingSnapshot = true;
    statsOf(symbol).resyncs++;
    h.onResync?.(symbol, st.venueSymbol, reason);
  }

  function depthFor(ev: BookEvent): number {
    const known = ev.depth ?? subscribedDepth.get(ev.symbol) ?? opts.depth;
    if (known) return known;
    // A recording without its subscribe ack: the smallest subscription depth that holds the snapshot.
    const n = Math.max(ev.asks.length, ev.bids.length);
    return V2_DEPTHS.find((d) => d >= n) ?? 1000;
  }

  function onBook(ev: BookEvent): void {
    const st = stateOf(ev.symbol, ev.venueSymbol);
    const s = statsOf(ev.symbol);
    s.book_messages++;
    if (ev.ts !== undefined) st.lastTs = ev.ts;
    else if (recvNow !== undefined) st.lastTs = recvNow;
    if (ev.snapshot) {
      const book = newBook(depthFor(ev));
      apply(st, ev, () => applySnapshot(book, ev.asks, ev.bids));
      st.book = book;
      st.awaitingSnapshot = false;
      st.verified = false;
      if (isCrossed(book)) {
        s.crossed++;
        drop(st, ev.symbol, "crossed");
        return;
      }
      if (ev.checksum !== undefined) verify(st, ev, s);
      return;
    }
    if (!st.book) {
      if (st.awaitingSnapshot) {
        s.discarded++;
        return;
      }
      s.gaps++;
      drop(st, ev.symbol, "gap");
      return;
    }
    const book = st.book;
    apply(st, ev, () => applyUpdate(book, ev.asks, ev.bids));
    if (isCrossed(st.book)) {
      s.crossed++;
      drop(st, ev.symbol, "crossed");
      return;
    }
    if (ev.checksum === undefined) {
      // Cannot be verified: never emitted.
      st.verified = false;
      return;
    }
    verify(st, ev, s);
  }

  /** Runs a book mutation; a level it cannot apply drops the book (maybe half-applied) and is a FrameError. */
  function apply(st: SymbolState, ev: BookEvent, mutate: () => void): void {
    try {
      mutate();
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      drop(st, ev.symbol, "invalid");
      throw new FrameError(`book ${ev.venueSymbol}: ${err.message}`);
    }
  }

  function verify(st: SymbolState, ev: BookEvent, s: SymbolStats): void {
    const got = bookChecksum(st.book!);
    if (got === ev.checksum) {
      s.checksum_ok++;
      st.verified = true;
      h.onBook?.(ev.symbol, st.book!, st.lastTs, ev.venueSymbol);
    } else {
      s.checksum_failed++;
      drop(st, ev.symbol, "checksum");
    }
  }

  function onTrades(symbol: string, trades: TradePrint[]): void {
    const st = stateOf(symbol, symbol);
    const s = statsOf(symbol);
    for (const t of trades) {
      if (t.tradeId !== undefined) {
        if (st.lastTradeId !== undefined && t.tradeId > st.lastTradeId + 1) s.trade_gaps++;
        if (st.lastTradeId === undefined || t.tradeId > st.lastTradeId) st.lastTradeId = t.tradeId;
      }
    }
    h.onTrades?.(symbol, trades);
  }

  function handleEvents(events: WsEvent[]): void {
    for (const ev of events) {
      switch (ev.kind) {
        case "book":
          onBook(ev);
          break;
        case "trade":
          onTrades(ev.symbol, ev.trades);
          break;
        case "ticker":
          h.onTicker?.(ev);
          break;
        case "instrument":
          for (const p of ev.pairs) precisions.set(p.symbol, p.precision);
          break;
        case "subscription":
          if (ev.ok && ev.channel === "book" && ev.symbol && ev.depth) {
            subscribedDepth.set(ev.symbol, ev.depth);
          }
          break;
      }
      h.onEvent?.(ev);
    }
  }

  return {
    handleFrame(text, recvMs) {
      frames++;
      const events = parseFrame(text, (sym) => precisions.get(sym));
      recvNow = recvMs;
      handleEvents(events);
      return events;
    },
    handleEvents,
    stats,
    verifiedBook(symbol) {
      const st = states.get(symbol);
      return st?.verified && st.book ? st.book : undefined;
    },
    precisions,
    messages: () => frames,
    resetAll() {
      for (const st of states.values()) {
        st.book = null;
        st.verified = false;
        st.awaitingSnapshot = true;
        st.lastTradeId = undefined;
      }
    },
  };
}

export { FrameError };
