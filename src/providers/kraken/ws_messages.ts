import { z } from "zod";
import { issueText } from "../../util/zod_issue.ts";
import { formatFixed } from "./checksum.ts";
import type { LevelChange } from "./book.ts";
import { normalizePair } from "../../market/symbols.ts";
import type { TradePrint } from "../../market/trade.ts";
import { checkTime } from "../../util/time.ts";

/**
 * Parsing of Kraken WebSocket frames, v1 (arrays, decimal strings) and v2 (objects, JSON numbers), into one
 * normalised event type. Symbols come out normalised (`BTC/USD`); v2 book numbers are formatted back to
 * decimal text with the pair's precision so the checksum can be computed (see checksum.ts).
 */

export interface Precision {
  price: number;
  qty: number;
}

export interface BookEvent {
  kind: "book";
  version: 1 | 2;
  symbol: string;
  /** Kraken's own name for the pair (v1 wsname or v2 symbol), for resubscribing. */
  venueSymbol: string;
  snapshot: boolean;
  asks: LevelChange[];
  bids: LevelChange[];
  /** Kraken's checksum (absent on v1 snapshots). */
  checksum?: number;
  /** Exchange timestamp of the message in epoch ms, when it carries one. */
  ts?: number;
  /** v1 depth from the channel name (book-1000). */
  depth?: number;
}

export interface TradeEvent {
  kind: "trade";
  symbol: string;
  trades: TradePrint[];
}

export interface TickerEvent {
  kind: "ticker";
  symbol: string;
  bid: number;
  ask: number;
  last?: number;
  ts?: number;
}

export interface InstrumentEvent {
  kind: "instrument";
  pairs: Array<{ symbol: string; venueSymbol: string; precision: Precision }>;
}

export interface SubscriptionEvent {
  kind: "subscription";
  ok: boolean;
  channel?: string;
  symbol?: string;
  venueSymbol?: string;
  depth?: number;
  error?: string;
}

export type WsEvent =
  | BookEvent
  | TradeEvent
  | TickerEvent
  | InstrumentEvent
  | SubscriptionEvent
  | { kind: "heartbeat" }
  | { kind: "status"; online: boolean; detail: string }
  | { kind: "pong" }
  | { kind: "ignored"; what: string };

/** A frame that is not what Kraken sends: names the field and the value. */
export class FrameError extends Error {
  override name = "FrameError";
}

// ---------------------------------------------------------------- v2 schemas
const Num = z.number().finite().nonnegative();
const Price = z.number().finite().positive();
const V2Level = z.object({ price: Price, qty: Num });
const V2BookData = z.object({
  symbol: z.string().min(1),
  bids: z.array(V2Level).default([]),
  asks: z.array(V2Level).default([]),
  checksum: z.number().int().nonnegative().max(0xffffffff),
  timestamp: z.string().optional(),
});
const V2Book = z.object({
  channel: z.literal("book"),
  type: z.enum(["snapshot", "update"]),
  data: z.array(V2BookData),
});
const V2Trade = z.object({
  channel: z.literal("trade"),
  type: z.enum(["snapshot", "update"]),
  data: z.array(z.object({
    symbol: z.string().min(1),
    side: z.enum(["buy", "sell"]),
    price: Price,
    qty: Num,
    ord_type: z.string().optional(),
    trade_id: z.number().int().optional(),
    timestamp: z.string(),
  })),
});
const V2Ticker = z.object({
  channel: z.literal("ticker"),
  type: z.enum(["snapshot", "update"]),
  data: z.array(z.looseObject({
    symbol: z.string().min(1),
    bid: Num,
    ask: Num,
    last: Num.optional(),
    timestamp: z.string().optional(),
  })),
});
const V2Instrument = z.object({
  channel: z.literal("instrument"),
  type: z.enum(["snapshot", "update"]),
  data: z.looseObject({
    pairs: z.array(z.looseObject({
      symbol: z.string().min(1),
      price_precision: z.number().int().min(0).max(18),
      qty_precision: z.number().int().min(0).max(18),
    })).default([]),
  }),
});

// ---------------------------------------------------------------- v1 schemas
const DecText = z.string().regex(/^\d+(\.\d+)?$/, "expected decimal text");
const PriceText = DecText.refine((s) => Number(s) > 0, "expected a positive price");
const V1Level = z.tuple([PriceText, DecText, DecText], z.string());
const V1BookPart = z.object({
  as: z.array(V1Level).optional(),
  bs: z.array(V1Level).optional(),
  a: z.array(V1Level).optional(),
  b: z.array(V1Level).optional(),
  c: z.string().regex(/^\d+$/).optional(),
});
const V1Trade = z.array(
  z.tuple([PriceText, DecText, z.string(), z.enum(["b", "s"]), z.string()], z.string()),
);
const V1Ticker = z.looseObject({
  a: z.tuple([DecText], z.unknown()),
  b: z.tuple([DecText], z.unknown()),
  c: z.tuple([DecText], z.unknown()).optional(),
});

function parseIsoMs(s: string | undefined, field: string): number | undefined {
  if (s === undefined) return undefined;
  const t = checkTime(s);
  if (!t.ok) throw new FrameError(`${field}: not an RFC 3339 time (${t.reason}): ${JSON.stringify(s)}`);
  return t.ms;
}

function secondsTextToMs(s: string, field: string): number {
  const n = Number(s);
  if (!Number.isFinite(n) || n <= 0) {
    throw new FrameError(`${field}: not an epoch-seconds time: ${JSON.stringify(s)}`);
  }
  return n * 1000;
}

/** Looks up a symbol's precision (instrument channel or AssetPairs); undefined when unknown. */
export type PrecisionLookup = (symbol: string) => Precision | undefined;

/** Detects the protocol version of a parsed frame: arrays and `event` objects are v1. */
export function frameVersion(msg: unknown): 1 | 2 | undefined {
  if (Array.isArray(msg)) return 1;
  if (msg && typeof msg === "object") {
    if ("event" in msg) return 1;
    if ("channel" in msg || "method" in msg) return 2;
  }
  return undefined;
}

/**
 * Parses one frame's text. v2 book frames need the pair's precision: a book for a symbol with no known
 * precision is a FrameError naming the symbol.
 */
export function parseFrame(text: string, precisionOf: PrecisionLookup): WsEvent[] {
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch (err) {
    throw new FrameError(`frame: not JSON (${(err as Error).message}): ${text.slice(0, 80)}`);
  }
  const v = frameVersion(msg);
  try {
    if (v === 1) return parseV1(msg);
    if (v === 2) return parseV2(msg as Record<string, unknown>, precisionOf);
  } catch (err) {
    // A pair name that is not BASE/QUOTE, a number too large to format: still a bad frame (live ingest logs
    // and counts FrameErrors; any other error thrown from a socket handler would end the process).
    if (err instanceof RangeError) throw new FrameError(`frame: ${err.message}`);
    throw err;
  }
  throw new FrameError(`frame: neither a Kraken v1 nor v2 message: ${text.slice(0, 80)}`);
}

function parseV2(msg: Record<string, unknown>, precisionOf: PrecisionLookup): WsEvent[] {
  const channel = msg.channel;
  if (msg.method !== undefined) {
    if (msg.method === "pong") return [{ kind: "pong" }];
    if (msg.method === "subscribe" || msg.method === "unsubscribe") {
      const r = (msg.result ?? {}) as Record<string, unknown>;
      const venueSymbol = typeof r.symbol === "string"
        ? r.symbol
        : typeof msg.symbol === "string"
        ? msg.symbol
        : undefined;
      return [{
        kind: "subscription",
        ok: msg.success === true && msg.method === "subscribe",
        channel: typeof r.channel === "string" ? r.channel : undefined,
        venueSymbol,
        symbol: venueSymbol ? normalizePair(venueSymbol) : undefined,
        depth: typeof r.depth === "number" ? r.depth : undefined,
        error: typeof msg.error === "string" ? msg.error : undefined,
      }];
    }
    return [{ kind: "ignored", what: `method ${String(msg.method)}` }];
  }
  switch (channel) {
    case "heartbeat":
      return [{ kind: "heartbeat" }];
    case "status": {
      const d = Array.isArray(msg.data) ? (msg.data[0] as Record<string, unknown> | undefined) : undefined;
      const system = String(d?.system ?? "unknown");
      return [{ kind: "status", online: system === "online", detail: system }];
    }
    case "book": {
      const r = V2Book.safeParse(msg);
      if (!r.success) throw new FrameError(`book ${issueText(r.error, msg, "(frame)")}`);
      return r.data.data.map((d): BookEvent => {
        const symbol = normalizePair(d.symbol);
        const p = precisionOf(symbol);
        if (!p) {
          throw new FrameError(
            `book.symbol: no price/qty precision known for ${JSON.stringify(d.symbol)} ` +
              `(needs an instrument message in the stream or --asset-pairs)`,
          );
        }
        const fmt = (l: { price: number; qty: number }): LevelChange => ({
          priceText: formatFixed(l.price, p.price),
          qtyText: formatFixed(l.qty, p.qty),
        });
        return {
          kind: "book",
          version: 2,
          symbol,
          venueSymbol: d.symbol,
          snapshot: r.data.type === "snapshot",
          asks: d.asks.map(fmt),
          bids: d.bids.map(fmt),
          checksum: d.checksum,
          ts: parseIsoMs(d.timestamp, "book.timestamp"),
        };
      });
    }
    case "trade": {
      const r = V2Trade.safeParse(msg);
      if (!r.success) throw new FrameError(`trade ${issueText(r.error, msg, "(frame)")}`);
      const bySym = new Map<string, TradePrint[]>();
      for (const t of r.data.data) {
        const symbol = normalizePair(t.symbol);
        const list = bySym.get(symbol) ?? [];
        list.push({
          symbol,
          price: t.price,
          qty: t.qty,
          side: t.side,
          ts: parseIsoMs(t.timestamp, "trade.timestamp")!,
          ordType: t.ord_type,
          tradeId: t.trade_id,
        });
        bySym.set(symbol, list);
      }
      return [...bySym].map(([symbol, trades]) => ({ kind: "trade", symbol, trades }));
    }
    case "ticker": {
      const r = V2Ticker.safeParse(msg);
      if (!r.success) throw new FrameError(`ticker ${issueText(r.error, msg, "(frame)")}`);
      return r.data.data.map((t) => ({
        kind: "ticker",
        symbol: normalizePair(t.symbol),
        bid: t.bid,
        ask: t.ask,
        last: t.last,
        ts: parseIsoMs(t.timestamp, "ticker.timestamp"),
      }));
    }
    case "instrument": {
      const r = V2Instrument.safeParse(msg);
      if (!r.success) throw new FrameError(`instrument ${issueText(r.error, msg, "(frame)")}`);
      return [{
        kind: "instrument",
        pairs: r.data.data.pairs.map((p) => ({
          symbol: normalizePair(p.symbol),
          venueSymbol: p.symbol,
          precision: { price: p.price_precision, qty: p.qty_precision },
        })),
      }];
    }
    default:
      return [{ kind: "ignored", what: `channel ${String(channel)}` }];
  }
}

function v1Levels(
  levels: Array<[string, string, string, ...string[]]>,
): { changes: LevelChange[]; maxTs: number } {
  let maxTs = 0;
  const changes: LevelChange[] = new Array(levels.length);
  for (let i = 0; i < levels.length; i++) {
    const l = levels[i];
    changes[i] = { priceText: l[0], qtyText: l[1] };
    const ts = Number(l[2]) * 1000;
    if (ts > maxTs) maxTs = ts;
  }
  return { changes, maxTs };
}

function parseV1(msg: unknown): WsEvent[] {
  if (!Array.isArray(msg)) {
    const m = msg as Record<string, unknown>;
    switch (m.event) {
      case "heartbeat":
        return [{ kind: "heartbeat" }];
      case "pong":
        return [{ kind: "pong" }];
      case "systemStatus":
        return [{ kind: "status", online: m.status === "online", detail: String(m.status) }];
      case "subscriptionStatus": {
        const sub = (m.subscription ?? {}) as Record<string, unknown>;
        const venueSymbol = typeof m.pair === "string" ? m.pair : undefined;
        return [{
          kind: "subscription",
          ok: m.status === "subscribed",
          channel: typeof sub.name === "string" ? sub.name : undefined,
          venueSymbol,
          symbol: venueSymbol ? normalizePair(venueSymbol) : undefined,
          depth: typeof sub.depth === "number" ? sub.depth : undefined,
          error: typeof m.errorMessage === "string" ? m.errorMessage : undefined,
        }];
      }
      default:
        return [{ kind: "ignored", what: `event ${String(m.event)}` }];
    }
  }
  if (msg.length < 4) throw new FrameError(`frame: v1 data array too short (${msg.length} elements)`);
  // [channelID, payload..., channelName, pair]
  const pair = msg[msg.length - 1];
  const channelName = msg[msg.length - 2];
  if (typeof pair !== "string") {
    throw new FrameError(`pair: expected a string, found ${JSON.stringify(pair)}`);
  }
  if (typeof channelName !== "string") {
    throw new FrameError(`channelName: expected a string, found ${JSON.stringify(channelName)}`);
  }
  const symbol = normalizePair(pair);
  const payloads = msg.slice(1, msg.length - 2);
  if (channelName.startsWith("book")) {
    const depth = Number(channelName.split("-")[1]) || undefined;
    let snapshot = false;
    const asks: LevelChange[] = [];
    const bids: LevelChange[] = [];
    let checksum: number | undefined;
    let ts = 0;
    for (const part of payloads) {
      if (part === "r") continue; // republish marker: applied like any update
      const r = V1BookPart.safeParse(part);
      if (!r.success) throw new FrameError(`book ${pair} ${issueText(r.error, part, "(frame)")}`);
      const p = r.data;
      if (p.as || p.bs) snapshot = true;
      for (const [list, into] of [[p.as ?? p.a, asks], [p.bs ?? p.b, bids]] as const) {
        if (!list) continue;
        const { changes, maxTs } = v1Levels(list as Array<[string, string, string]>);
        for (const c of changes) into.push(c);
        if (maxTs > ts) ts = maxTs;
      }
      if (p.c !== undefined) checksum = Number(p.c);
    }
    return [{
      kind: "book",
      version: 1,
      symbol,
      venueSymbol: pair,
      snapshot,
      asks,
      bids,
      checksum,
      ts: ts || undefined,
      depth,
    }];
  }
  if (channelName === "trade") {
    const r = V1Trade.safeParse(payloads[0]);
    if (!r.success) throw new FrameError(`trade ${pair} ${issueText(r.error, payloads[0], "(frame)")}`);
    return [{
      kind: "trade",
      symbol,
      trades: r.data.map((t) => ({
        symbol,
        price: Number(t[0]),
        qty: Number(t[1]),
        ts: secondsTextToMs(t[2], "trade.time"),
        side: t[3] === "b" ? "buy" : "sell",
        ordType: t[4] === "m" ? "market" : t[4] === "l" ? "limit" : t[4],
      })),
    }];
  }
  if (channelName === "ticker") {
    const r = V1Ticker.safeParse(payloads[0]);
    if (!r.success) throw new FrameError(`ticker ${pair} ${issueText(r.error, payloads[0], "(frame)")}`);
    return [{
      kind: "ticker",
      symbol,
      bid: Number(r.data.b[0]),
      ask: Number(r.data.a[0]),
      last: r.data.c ? Number(r.data.c[0]) : undefined,
    }];
  }
  return [{ kind: "ignored", what: `v1 channel ${channelName}` }];
}
