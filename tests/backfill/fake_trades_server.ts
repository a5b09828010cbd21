/**
 * A loopback server speaking Kraken's public REST format for the backfill tests (127.0.0.1, port 0):
 * - AssetPairs: the REAL recorded 2021 response (fixtures/kraken/rest/asset_pairs_2021-04-17.json);
 * - Trades?pair=XBTUSD|ETHUSD&since=<ns>&count=<n>: the trades with time >= since (inclusive, the pessimistic
 *   reading of Kraken's cursor, so the boundary trade comes twice), at most min(count, pageSize) of them, in
 *   Kraken's row format [price, volume, time, b|s, m|l, misc, trade_id] and `last` = the newest one's time
 *   in ns (as text), or `since` itself when there is nothing newer.
 * XBTUSD serves the REAL 1,000 recorded XBTUSDT prints of 2025-11-10 (fixtures/kraken/rest/
 * kraken_rest_trades_xbtusdt_recorded.json); ETHUSD serves seeded synthetic prints over the whole day.
 * `refuse(n)` turns the n-th Trades call into a refusal: HTTP 429 or Kraken's EAPI:Rate limit exceeded.
 */
import { FIX } from "../providers/kraken/fixtures.ts";

export type RawTrade = [string, string, number, "b" | "s", "m" | "l", string, number];

export function recordedBtcTrades(): RawTrade[] {
  const rec = JSON.parse(Deno.readTextFileSync(FIX + "rest/kraken_rest_trades_xbtusdt_recorded.json"));
  return rec.result.XBTUSDT as RawTrade[];
}

/** Seeded (LCG) ETH prints over 2025-11-10, some seconds apart, some in bursts at the same time. */
export function syntheticEthTrades(n = 3000, seed = 7): RawTrade[] {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
  const t0 = Date.parse("2025-11-10T00:00:00Z") / 1000;
  let t = t0 + 3.25;
  let price = 3500;
  const out: RawTrade[] = [];
  for (let i = 0; i < n; i++) {
    // Gaps up to ~2 minutes, with a 40-minute silence (an "outage") around 06:00.
    t += rnd() < 0.1 ? 0 : rnd() * 55;
    if (out.length > 0 && t > t0 + 6 * 3600 && t < t0 + 6 * 3600 + 2400) t = t0 + 6 * 3600 + 2400 + rnd();
    price = Math.max(1, price * (1 + (rnd() - 0.5) * 0.002));
    out.push([
      price.toFixed(2),
      (0.001 + rnd() * 2).toFixed(8),
      Math.round(t * 1e4) / 1e4,
      rnd() < 0.5 ? "b" : "s",
      rnd() < 0.5 ? "m" : "l",
      "",
      5_000_000 + i,
    ]);
  }
  return out;
}

const nsOf = (sec: number): bigint => BigInt(Math.round(sec * 1e6)) * 1000n;

export interface FakeServer extends AsyncDisposable {
  url: string;
  /** Trades calls answered with data, and refused. */
  served: number;
  refused: number;
}

export function startFakeKraken(o: {
  trades: Record<string, RawTrade[]>;
  pageSize?: number;
  refuse?: (call: number) => "http429" | "eapi" | null;
}): FakeServer {
  const pairs = Deno.readTextFileSync(FIX + "rest/asset_pairs_2021-04-17.json");
  let calls = 0;
  const state = { served: 0, refused: 0 };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const u = new URL(req.url);
    if (u.pathname === "/0/public/AssetPairs") {
      return new Response(pairs, { headers: { "content-type": "application/json" } });
    }
    if (u.pathname !== "/0/public/Trades") return new Response("not found", { status: 404 });
    calls++;
    const r = o.refuse?.(calls) ?? null;
    if (r === "http429") {
      state.refused++;
      return new Response("Too Many Requests", { status: 429 });
    }
    if (r === "eapi") {
      state.refused++;
      return Response.json({ error: ["EAPI:Rate limit exceeded"] });
    }
    const pair = u.searchParams.get("pair") ?? "";
    const all = o.trades[pair];
    if (!all) return Response.json({ error: ["EQuery:Unknown asset pair"] });
    const since = BigInt(u.searchParams.get("since") ?? "0");
    const count = Math.min(Number(u.searchParams.get("count") ?? "1000"), o.pageSize ?? 1000);
    const page = all.filter((t) => nsOf(t[2]) >= since).slice(0, count);
    const last = page.length ? nsOf(page[page.length - 1][2]).toString() : since.toString();
    state.served++;
    return Response.json({ error: [], result: { [pair]: page, last } });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    get served() {
      return state.served;
    },
    get refused() {
      return state.refused;
    },
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
}
