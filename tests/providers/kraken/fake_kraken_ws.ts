/**
 * A loopback Kraken WebSocket v2 server for live-path tests. It replays the REAL recorded v1 book session
 * (fixtures/kraken/book_v1_recorded.jsonl) re-expressed in v2 form: prices/quantities as bare JSON numbers
 * written from the recorded decimal text, every update's checksum = Kraken's published `c`. Precisions come
 * from an `instrument` message (the decimals of the recorded text). A snapshot sent on (re)subscribe is the
 * server's true book at that moment, stamped with the last checksum Kraken published for it.
 */
import {
  applySnapshot,
  applyUpdate,
  type Book,
  type LevelChange,
  newBook,
} from "../../../src/providers/kraken/book.ts";
import { readLines } from "./fixtures.ts";

interface V1Update {
  asks: LevelChange[];
  bids: LevelChange[];
  checksum: number;
  ts: number;
}
interface PairData {
  v1name: string;
  symbol: string;
  snapshot: { asks: LevelChange[]; bids: LevelChange[] };
  updates: V1Update[];
  precision: { price: number; qty: number };
}

export interface FakeOptions {
  /** Pairs to serve (v1 names from the recording, e.g. XMR/USD). */
  pairs: string[];
  /** First connection only: close the socket after this many update frames. */
  dropAfter?: number;
  /** First connection only: stop sending anything (socket stays open) after this many update frames. */
  silentAfter?: number;
  /**
   * First connection only: change one qty in the first update of `pair` from `index` on whose first level
   * lies in the top 10 after the update (the levels Kraken's checksum covers).
   */
  corrupt?: { pair: string; index: number };
  /** Update frames sent per macrotask. */
  batch?: number;
  /**
   * A live-like stream: one batch every `paceMs` (instead of as fast as possible), every update stamped with
   * the current time (checksums cover the book, not the time, so they stay Kraken's).
   */
  paceMs?: number;
}

const decimals = (s: string) => s.split(".")[1]?.length ?? 0;

function loadPairs(names: string[]): PairData[] {
  const lines = readLines("book_v1_recorded.jsonl");
  return names.map((v1name) => {
    const frames = lines.filter((l) => l.startsWith("[") && l.endsWith(`"${v1name}"]`)).map((l) =>
      JSON.parse(l)
    );
    const snapMsg = frames[0][1];
    const lv = (xs: string[][]) => xs.map((x) => ({ priceText: x[0], qtyText: x[1] }));
    const updates: V1Update[] = frames.slice(1).map((f: unknown[]) => {
      const parts = f.slice(1, -2) as Array<Record<string, string[][] | string>>;
      const u: V1Update = { asks: [], bids: [], checksum: 0, ts: 0 };
      for (const p of parts) {
        if (typeof p !== "object") continue;
        if (p.a) u.asks.push(...lv(p.a as string[][]));
        if (p.b) u.bids.push(...lv(p.b as string[][]));
        if (p.c) u.checksum = Number(p.c);
        for (const l of [...(p.a ?? []) as string[][], ...(p.b ?? []) as string[][]]) {
          u.ts = Math.max(u.ts, Number(l[2]) * 1000);
        }
      }
      return u;
    });
    const first = (snapMsg.as as string[][])[0];
    return {
      v1name,
      symbol: v1name.replace("XBT", "BTC"),
      snapshot: { asks: lv(snapMsg.as), bids: lv(snapMsg.bs) },
      updates,
      precision: { price: decimals(first[0]), qty: decimals(first[1]) },
    };
  });
}

const levelsJson = (ls: LevelChange[]) =>
  "[" + ls.map((l) => `{"price":${l.priceText},"qty":${l.qtyText}}`).join(",") + "]";

export interface FakeKraken {
  url: string;
  connections: number;
  /** Every client message, parsed. */
  received: Array<Record<string, unknown>>;
  pairs: PairData[];
  close(): Promise<void>;
}

export function startFakeKraken(o: FakeOptions): FakeKraken {
  const pairs = loadPairs(o.pairs);
  const batch = o.batch ?? 50;
  // The server's true state, shared by all connections: position in the recording and the true books.
  // The recording's snapshot + update 0 is the starting state (its checksum is Kraken's published one).
  const books = new Map<string, Book>();
  const pos = new Map<string, number>();
  for (const p of pairs) {
    const b = newBook(1000);
    applySnapshot(b, p.snapshot.asks, p.snapshot.bids);
    applyUpdate(b, p.updates[0].asks, p.updates[0].bids);
    books.set(p.symbol, b);
    pos.set(p.symbol, 1);
  }
  const fake: FakeKraken = { url: "", connections: 0, received: [], pairs, close: async () => {} };
  const timers = new Set<ReturnType<typeof setTimeout>>();

  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const { socket, response } = Deno.upgradeWebSocket(req);
    const conn = ++fake.connections;
    const subscribed = new Set<string>();
    let sentUpdates = 0;
    let stopped = false;
    let corrupted = false;
    const send = (s: string) => socket.readyState === WebSocket.OPEN && socket.send(s);
    const snapshotFor = (p: PairData) => {
      const b = books.get(p.symbol)!;
      const c = p.updates[pos.get(p.symbol)! - 1].checksum;
      send(
        `{"channel":"book","type":"snapshot","data":[{"symbol":"${p.symbol}","bids":${
          levelsJson(b.bids)
        },"asks":${levelsJson(b.asks)},"checksum":${c}}]}`,
      );
    };
    const pump = () => {
      if (stopped || socket.readyState !== WebSocket.OPEN) return;
      let sent = 0;
      for (const p of pairs) {
        if (!subscribed.has(p.symbol)) continue;
        let i = pos.get(p.symbol)!;
        for (let k = 0; k < batch && i < p.updates.length; k++, i++) {
          const u = p.updates[i];
          applyUpdate(books.get(p.symbol)!, u.asks, u.bids);
          let asks = u.asks;
          let bids = u.bids;
          const book = books.get(p.symbol)!;
          const inTop10 = (l: LevelChange | undefined, side: Book["asks"]) =>
            l !== undefined && Number(l.qtyText) > 0 &&
            side.slice(0, 10).some((x) => x.priceText === l.priceText);
          if (
            conn === 1 && !corrupted && o.corrupt && o.corrupt.pair === p.v1name && i >= o.corrupt.index &&
            (inTop10(asks[0], book.asks) || (!asks.length && inTop10(bids[0], book.bids)))
          ) {
            corrupted = true;
            const bump = (l: LevelChange) => ({
              ...l,
              qtyText: (Number(l.qtyText) + 1).toFixed(decimals(l.qtyText)),
            });
            if (asks.length) asks = [bump(asks[0]), ...asks.slice(1)];
            else bids = [bump(bids[0]), ...bids.slice(1)];
          }
          send(
            `{"channel":"book","type":"update","data":[{"symbol":"${p.symbol}","bids":${
              levelsJson(bids)
            },"asks":${levelsJson(asks)},"checksum":${u.checksum},"timestamp":"${
              new Date(o.paceMs !== undefined ? Date.now() : u.ts).toISOString()
            }"}]}`,
          );
          sent++;
          sentUpdates++;
          if (conn === 1 && o.dropAfter !== undefined && sentUpdates >= o.dropAfter) {
            pos.set(p.symbol, i + 1);
            socket.close(1011, "test drop");
            return;
          }
          if (conn === 1 && o.silentAfter !== undefined && sentUpdates >= o.silentAfter) {
            pos.set(p.symbol, i + 1);
            stopped = true;
            return;
          }
        }
        pos.set(p.symbol, i);
      }
      if (sent > 0) {
        const t = setTimeout(() => {
          timers.delete(t);
          pump();
        }, o.paceMs ?? 0);
        timers.add(t);
      } else {
        send(`{"channel":"heartbeat"}`);
      }
    };
    socket.onopen = () =>
      send(
        `{"channel":"status","type":"update","data":[{"version":"2.0.0","system":"online","api_version":"v2","connection_id":${conn}}]}`,
      );
    socket.onmessage = (e) => {
      const msg = JSON.parse(e.data as string);
      fake.received.push({ conn, ...msg });
      const params = msg.params ?? {};
      if (msg.method === "subscribe" && params.channel === "instrument") {
        const ps = pairs.map((p) => ({
          symbol: p.symbol,
          base: p.symbol.split("/")[0],
          quote: p.symbol.split("/")[1],
          status: "online",
          price_precision: p.precision.price,
          qty_precision: p.precision.qty,
        }));
        send(
          JSON.stringify({
            method: "subscribe",
            result: { channel: "instrument", snapshot: true },
            success: true,
            req_id: msg.req_id,
          }),
        );
        send(JSON.stringify({ channel: "instrument", type: "snapshot", data: { assets: [], pairs: ps } }));
      } else if (msg.method === "subscribe" && params.channel === "book") {
        for (const s of params.symbol as string[]) {
          const p = pairs.find((x) => x.symbol === s);
          if (!p) {
            send(
              JSON.stringify({
                method: "subscribe",
                success: false,
                error: "Currency pair not supported",
                symbol: s,
                req_id: msg.req_id,
              }),
            );
            continue;
          }
          send(
            JSON.stringify({
              method: "subscribe",
              result: { channel: "book", depth: params.depth, snapshot: true, symbol: s },
              success: true,
              req_id: msg.req_id,
            }),
          );
          snapshotFor(p);
          subscribed.add(s);
        }
        pump();
      } else if (msg.method === "unsubscribe" && params.channel === "book") {
        for (const s of params.symbol as string[]) subscribed.delete(s);
        send(
          JSON.stringify({
            method: "unsubscribe",
            result: { channel: "book", symbol: params.symbol[0] },
            success: true,
            req_id: msg.req_id,
          }),
        );
      } else if (msg.method === "subscribe") {
        for (const s of params.symbol ?? []) {
          send(
            JSON.stringify({
              method: "subscribe",
              result: { channel: params.channel, symbol: s },
              success: true,
              req_id: msg.req_id,
            }),
          );
        }
      }
    };
    return response;
  });
  fake.url = `ws://127.0.0.1:${server.addr.port}/v2`;
  fake.close = async () => {
    for (const t of timers) clearTimeout(t);
    await server.shutdown();
  };
  return fake;
}
