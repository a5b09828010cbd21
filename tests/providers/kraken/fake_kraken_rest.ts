/**
 * A loopback Kraken REST server (127.0.0.1, port 0) for the scheduled-ingest tests. It serves:
 * - AssetPairs: the REAL recorded 2021 response (fixtures/kraken/rest/asset_pairs_2021-04-17.json);
 * - Depth, Ticker, Trades: the REAL recorded XBTUSDT responses (fixtures/kraken/rest/kraken_rest_*_recorded.json),
 *   the same for every pair, keyed by the requested pair (the warm tier's tests);
 * - OHLC interval=60: hourly rows *derived* from the REAL recorded 1-minute XBTUSDT response
 *   (fixtures/kraken/rest/kraken_rest_ohlc_xbtusdt_1m_recorded.json, 721 rows, 2025-11-10): the 11 complete
 *   UTC hours, aggregated the way Kraken does (first open, max high, min low, last close, volume-weighted
 *   vwap, summed volume and count). The same rows are served for every requested pair.
 *
 * "Time" is simulated by `visible`: only the first `visible` hourly rows exist, the last of them is the
 * still-forming candle (as on Kraken), and `last` is the open time of the one before it. `since` is honoured
 * inclusively (rows with time >= since), the pessimistic reading, so a client must drop what it already has.
 */
import { FIX } from "./fixtures.ts";

export type RawOhlcRow = [number, string, string, string, string, string, string, number];

/** The derived hourly rows (see the module comment). */
export function hourlyRows(): RawOhlcRow[] {
  const rec = JSON.parse(Deno.readTextFileSync(FIX + "rest/kraken_rest_ohlc_xbtusdt_1m_recorded.json"));
  const minutes = rec.result.XBTUSDT as RawOhlcRow[];
  const byHour = new Map<number, RawOhlcRow[]>();
  for (const r of minutes) {
    const h = Math.floor(r[0] / 3600) * 3600;
    if (!byHour.has(h)) byHour.set(h, []);
    byHour.get(h)!.push(r);
  }
  const out: RawOhlcRow[] = [];
  for (const [h, rs] of [...byHour].sort((a, b) => a[0] - b[0])) {
    if (rs.length !== 60) continue;
    const vol = rs.reduce((s, r) => s + Number(r[6]), 0);
    const pv = rs.reduce((s, r) => s + Number(r[5]) * Number(r[6]), 0);
    const hi = rs.reduce((m, r) => Number(r[2]) > Number(m) ? r[2] : m, rs[0][2]);
    const lo = rs.reduce((m, r) => Number(r[3]) < Number(m) ? r[3] : m, rs[0][3]);
    out.push([
      h,
      rs[0][1],
      hi,
      lo,
      rs[rs.length - 1][4],
      vol > 0 ? (pv / vol).toFixed(1) : "0.0",
      vol.toFixed(8),
      rs.reduce((s, r) => s + r[7], 0),
    ]);
  }
  return out;
}

export interface FakeRestFailure {
  /** HTTP status to answer with, or … */
  status?: number;
  /** … Kraken `error` strings in a 200 answer. */
  error?: string[];
}

export interface FakeKrakenRest {
  url: string;
  rows: RawOhlcRow[];
  /** How many hourly rows exist now (the last one is still forming). */
  visible: number;
  /** Consumed one per OHLC request before answering normally. */
  failures: FakeRestFailure[];
  /** OHLC requests never answer (until the client aborts). */
  hang: boolean;
  /** Every request is answered 503 (the venue is down). */
  down: boolean;
  /** Every request: path and query parameters. */
  requests: Array<{ endpoint: string; params: Record<string, string> }>;
  close(): Promise<void>;
}

export function startFakeKrakenRest(
  opts: {
    visible?: number;
    /** Shift the hourly rows in time so the last one is the candle forming at this time (a live-like venue). */
    formingAt?: number;
  } = {},
): FakeKrakenRest {
  const assetPairs = Deno.readTextFileSync(FIX + "rest/asset_pairs_2021-04-17.json");
  const recorded = (name: string) =>
    JSON.parse(Deno.readTextFileSync(FIX + `rest/kraken_rest_${name}_xbtusdt_recorded.json`)).result;
  const other: Record<string, Record<string, unknown>> = {
    Depth: recorded("depth"),
    Ticker: recorded("ticker"),
    Trades: recorded("trades"),
  };
  let rows = hourlyRows();
  if (opts.formingAt !== undefined) {
    const shift = Math.floor(opts.formingAt / 3_600_000) * 3_600 - rows[rows.length - 1][0];
    rows = rows.map((r): RawOhlcRow => [r[0] + shift, ...r.slice(1)] as RawOhlcRow);
  }
  const fake: FakeKrakenRest = {
    url: "",
    rows,
    visible: opts.visible ?? rows.length,
    failures: [],
    hang: false,
    down: false,
    requests: [],
    close: async () => {},
  };
  const json = (body: unknown, status = 200) =>
    new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const u = new URL(req.url);
    const endpoint = u.pathname.replace(/^\/0\/public\//, "");
    const params = Object.fromEntries(u.searchParams);
    fake.requests.push({ endpoint, params });
    if (fake.down) return new Response("down for maintenance", { status: 503 });
    if (endpoint === "AssetPairs") {
      return new Response(assetPairs, { headers: { "content-type": "application/json" } });
    }
    if (other[endpoint]) {
      const { XBTUSDT, ...rest } = other[endpoint];
      return json({ error: [], result: { [params.pair]: XBTUSDT, ...rest } });
    }
    if (endpoint !== "OHLC") return json({ error: ["EGeneral:Unknown method"] });
    if (fake.hang) {
      await new Promise<void>((resolve) => req.signal.addEventListener("abort", () => resolve()));
      return json({ error: ["EGeneral:Internal error"] }, 500);
    }
    const f = fake.failures.shift();
    if (f?.status) return new Response("upstream trouble", { status: f.status });
    if (f?.error) return json({ error: f.error });
    if (params.interval !== "60") return json({ error: ["EGeneral:Invalid arguments"] });
    const since = params.since !== undefined ? Number(params.since) : -Infinity;
    const avail = fake.rows.slice(0, fake.visible);
    const served = avail.filter((r) => r[0] >= since).slice(-720);
    const last = avail.length >= 2 ? avail[avail.length - 2][0] : 0;
    return json({ error: [], result: { [params.pair]: served, last } });
  });
  fake.url = `http://127.0.0.1:${server.addr.port}`;
  fake.close = async () => {
    await server.shutdown();
  };
  return fake;
}
