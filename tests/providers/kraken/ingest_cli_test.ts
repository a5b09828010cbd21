import assert from "node:assert/strict";
import { ColdSection } from "../../../src/config/sections/cold.ts";
import { PersistenceSection } from "../../../src/config/sections/persistence.ts";
import { openColdStore } from "../../../src/data/cold/store.ts";
import { readMicrostructure } from "../../../src/data/hot/store.ts";
import { openPersistence } from "../../../src/persistence/open.ts";
import { recordLine } from "../../../src/providers/kraken/replay.ts";
import { runCliCaptured } from "../../helpers/cli.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { startFakeKraken } from "./fake_kraken_ws.ts";
import { expectedV1, FIX, readLines } from "./fixtures.ts";

Deno.test("ingest --replay (v1 recording) --json prints the documented object; all checksums verify", async () => {
  await using dir = await tempDir();
  const r = await runCliCaptured([
    "--data-dir",
    dir.path,
    "ingest",
    "--venue",
    "kraken",
    "--replay",
    FIX + "book_v1_recorded.jsonl",
    "--json",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(out), ["messages", "symbols", "incomplete_bars"]);
  assert.equal(out.messages, 4279);
  assert.equal(Object.keys(out.symbols).length, 10);
  const exp = expectedV1().per_pair;
  for (const [wsname, e] of Object.entries(exp)) {
    const s = out.symbols[wsname.replace("XBT", "BTC")];
    assert.deepEqual(Object.keys(s), [
      "checksum_ok",
      "checksum_failed",
      "resyncs",
      "best_bid",
      "best_ask",
      "spread_bps",
      "depth_usd_2pct",
    ]);
    assert.equal(s.checksum_ok, e.checksums_matched);
    assert.equal(s.checksum_failed, 0);
    assert.equal(s.resyncs, 0);
    assert.equal(s.best_bid, Number(e.final_best_bid[0]));
    assert.equal(s.best_ask, Number(e.final_best_ask[0]));
    const mid = (s.best_bid + s.best_ask) / 2;
    assert.ok(Math.abs(s.spread_bps - (s.best_ask - s.best_bid) / mid * 1e4) < 1e-9);
    assert.ok(s.depth_usd_2pct.bid > 0 && s.depth_usd_2pct.ask > 0);
  }
  // The hot tier was written, stamped with the recording's own (2021) timestamps; PIT reads respect asOf.
  const end = Date.parse("2021-04-17T16:50:00Z");
  const hot = await readMicrostructure(dir.path, "kraken", end);
  assert.equal(hot.size, 10);
  const xmr = hot.get("XMR/USD")!;
  assert.equal(xmr.best_bid, 353.64);
  assert.equal(xmr.checksum_failed, 0);
  assert.ok(xmr.ts > Date.parse("2021-04-17T16:48:00Z") && xmr.ts <= end);
  const early = await readMicrostructure(dir.path, "kraken", xmr.ts - 5000);
  assert.ok([...early.values()].every((s) => s.ts <= xmr.ts - 5000));
  assert.equal((await readMicrostructure(dir.path, "kraken", Date.parse("2021-04-17T16:48:00Z"))).size, 0);
});

Deno.test("ingest --replay (v2): precision from the stream's instrument message or --asset-pairs, else an error naming the symbol", async () => {
  await using dir = await tempDir();
  const ok = await runCliCaptured([
    "--data-dir",
    dir.path,
    "ingest",
    "--replay",
    FIX + "book_v2_docs_example.jsonl",
    "--json",
    "--dry-run",
  ]);
  assert.equal(ok.code, 0, ok.stderr);
  const s = JSON.parse(ok.stdout).symbols["BTC/USD"];
  assert.equal(s.checksum_ok, 1);
  assert.equal(s.best_bid, 45283.5);
  assert.equal(s.best_ask, 45285.2);
  const bad = await runCliCaptured([
    "--data-dir",
    dir.path,
    "ingest",
    "--replay",
    FIX + "book_v2_docs_example_no_instrument.jsonl",
  ]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /book_v2_docs_example_no_instrument\.jsonl:1: .*BTC\/USD/);
  const withAp = await runCliCaptured([
    "--data-dir",
    dir.path,
    "ingest",
    "--replay",
    FIX + "book_v2_docs_example_no_instrument.jsonl",
    "--asset-pairs",
    FIX + "rest/asset_pairs_docs_example.json",
    "--json",
    "--dry-run",
  ]);
  assert.equal(withAp.code, 0, withAp.stderr);
  assert.equal(JSON.parse(withAp.stdout).symbols["BTC/USD"].checksum_ok, 1);
});

Deno.test("ingest: bad flags exit 2 naming the flag; bad files exit 1 naming file and line", async () => {
  await using dir = await tempDir();
  const cases: Array<[string[], number, RegExp]> = [
    [
      ["ingest", "--venue", "bybit", "--replay", "x"],
      2,
      /--venue: one of kraken, krakenfutures, binance, okx, coinbase, found "bybit"/,
    ],
    [["ingest", "--symbols", "BTC/EUR"], 2, /--symbols: "BTC\/EUR" is quoted in EUR/],
    [["ingest"], 2, /needs --symbols/],
    [["ingest", "--symbols", "BTC/USD", "--duration", "soon"], 2, /--duration.*"soon"/],
    [
      ["ingest", "--replay", FIX + "book_v1_recorded.jsonl", "--duration", "5s"],
      2,
      /--duration applies to live/,
    ],
    [["ingest", "--replay", dir.path + "/missing.jsonl"], 1, /missing\.jsonl.*cannot open/],
  ];
  for (const [argv, code, re] of cases) {
    const r = await runCliCaptured(["--data-dir", dir.path, ...argv]);
    assert.equal(r.code, code, `${argv.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, re);
  }
  const badFile = dir.path + "/bad.jsonl";
  await Deno.writeTextFile(
    badFile,
    '{"event":"heartbeat"}\n[1,{"a":[["1.0","x","1"]],"c":"1"},"book-10","XBT/USD"]\n',
  );
  const r = await runCliCaptured(["--data-dir", dir.path, "ingest", "--replay", badFile]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /bad\.jsonl:2: book XBT\/USD a\.0\.1/);
});

Deno.test("ingest live (loopback REST + v2 servers) --duration --record, then the recording replays to the same books", async () => {
  await using dir = await tempDir();
  const fake = startFakeKraken({ pairs: ["XMR/USD"] });
  // AssetPairs (the symbol map) from a loopback REST server serving the real 2021 response.
  const restHits: string[] = [];
  const rest = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    restHits.push(new URL(req.url).pathname);
    return new Response(Deno.readTextFileSync(FIX + "rest/asset_pairs_2021-04-17.json"));
  });
  const rec = dir.path + "/rec.jsonl";
  try {
    const env = {
      CRYPTORUN_KRAKEN_WS_URL: fake.url,
      CRYPTORUN_KRAKEN_REST_BASE_URL: `http://127.0.0.1:${rest.addr.port}`,
      CRYPTORUN_KRAKEN_BOOK_DEPTH: "1000",
    };
    const unknown = await runCliCaptured(["--data-dir", dir.path, "ingest", "--symbols", "NOPE/USD"], env);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /--symbols: NOPE\/USD is not a Kraken pair/);
    // Kraken's own names (altname, AssetPairs key) resolve through the map; their quote is checked too.
    const eur = await runCliCaptured(["--data-dir", dir.path, "ingest", "--symbols", "XBTEUR"], env);
    assert.equal(eur.code, 2);
    assert.match(eur.stderr, /--symbols: "XBTEUR" is quoted in EUR/);
    restHits.length = 0;
    const r = await runCliCaptured([
      "--data-dir",
      dir.path,
      "--json",
      "ingest",
      "--venue",
      "kraken",
      "--symbols",
      "XMR/USD,xmrusd,XXMRZUSD", // one pair, three names
      "--duration",
      "1500ms",
      "--record",
      rec,
    ], env);
    assert.deepEqual(restHits, ["/0/public/AssetPairs"]);
    assert.equal(r.code, 0, r.stderr);
    const live = JSON.parse(r.stdout).symbols["XMR/USD"];
    assert.equal(live.checksum_failed, 0);
    assert.equal(live.checksum_ok, fake.pairs[0].updates.length);
    assert.equal(live.best_bid, 353.64);
    assert.equal(live.best_ask, 354.48);
    const hot = await readMicrostructure(dir.path, "kraken", Date.now());
    assert.equal(hot.get("XMR/USD")!.best_bid, 353.64);

    const again = await runCliCaptured([
      "--data-dir",
      dir.path,
      "ingest",
      "--replay",
      rec,
      "--json",
      "--dry-run",
    ]);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(JSON.parse(again.stdout).symbols["XMR/USD"], live);
  } finally {
    await fake.close();
    await rest.shutdown();
  }
});

Deno.test("ingest --replay with trades: trades land in the trades table, closed 1-minute bars in the cold tier", async () => {
  await using dir = await tempDir();
  const t0 = Date.parse("2026-01-01T00:00:00Z");
  const trades: Array<[number, number, number, number]> = [
    // [ms after t0, price, qty, trade_id]
    [10_000, 100, 1, 1], // the recording starts mid-minute: minute 0 is partial, never written
    [50_000, 110, 2, 2],
    [65_000, 90, 1, 3],
    [119_000, 95, 0.5, 4],
    [121_000, 96, 1, 6], // id 5 missing: a trade gap (counted); minute 2 stays open: never written
  ];
  const lines = trades.map(([dt, price, qty, id]) =>
    recordLine(
      JSON.stringify({
        channel: "trade",
        type: "update",
        data: [{
          symbol: "BTC/USD",
          side: "buy",
          price,
          qty,
          ord_type: "market",
          trade_id: id,
          timestamp: new Date(t0 + dt).toISOString(),
        }],
      }),
      t0 + dt + 5,
    )
  );
  const file = dir.path + "/trades.jsonl";
  await Deno.writeTextFile(file, lines.join("\n") + "\n");
  const r = await runCliCaptured(["--data-dir", dir.path, "ingest", "--replay", file, "--json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { messages: 5, symbols: {}, incomplete_bars: 1 });

  const cold = openColdStore(
    {
      ...ColdSection.parse({}),
      path: "cold/ohlcv_1m",
      parquet_schema: { table: "ohlcv_1m", fields: ColdSection.parse({}).parquet_schema.fields },
    },
    dir.path,
  );
  const bars = [];
  for await (const row of cold.read("ohlcv_1m", { from: t0, to: t0 + 10 * 60_000 })) bars.push(row);
  assert.deepEqual(bars, [
    { ts: t0 + 60_000, symbol: "BTC/USD", open: 90, high: 95, low: 90, close: 95, volume: 1.5 },
  ]);

  const db = await openPersistence(PersistenceSection.parse({}), dir.path, {});
  try {
    const stored = await db.trades.listBySymbol("BTC/USD", { from: t0, to: t0 + 10 * 60_000 }, 10);
    assert.equal(stored.length, 5);
    assert.deepEqual(stored.map((t) => [t.ts.getTime() - t0, t.price, t.qty, t.side, t.venue]), [
      [121_000, 96, 1, "buy", "kraken"],
      [119_000, 95, 0.5, "buy", "kraken"],
      [65_000, 90, 1, "buy", "kraken"],
      [50_000, 110, 2, "buy", "kraken"],
      [10_000, 100, 1, "buy", "kraken"],
    ]);
  } finally {
    await db.close();
  }
});

/** Every file under `dir` (recursive) with its number of text lines; {} when `dir` does not exist. */
async function linesUnder(dir: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const walk = async (d: string, rel: string) => {
    for await (const e of Deno.readDir(d)) {
      if (e.isDirectory) await walk(`${d}/${e.name}`, `${rel}${e.name}/`);
      else out[rel + e.name] = (await Deno.readTextFile(`${d}/${e.name}`)).split("\n").filter(Boolean).length;
    }
  };
  try {
    await walk(dir, "");
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return out;
}

Deno.test("ingest --replay is all-or-nothing: a bad last line writes nothing to the hot/cold tiers or the trades table", async () => {
  await using dir = await tempDir();
  // Trades over two minutes (minute 1 is whole: one closed bar), then the real v1 book recording (4,279 frames,
  // so a writer flushing every 2,000 frames would already have written snapshots, trades and the bar), then
  // one bad line.
  const t0 = Date.parse("2026-01-01T00:00:00Z");
  const trades = [10_000, 65_000, 119_000, 121_000].map((dt, i) =>
    recordLine(
      JSON.stringify({
        channel: "trade",
        type: "update",
        data: [{
          symbol: "BTC/USD",
          side: "buy",
          price: 100 + i,
          qty: 1,
          trade_id: i + 1,
          timestamp: new Date(t0 + dt).toISOString(),
        }],
      }),
      t0 + dt,
    )
  );
  const good = [...trades, ...readLines("book_v1_recorded.jsonl")];
  const file = dir.path + "/session.jsonl";
  const badLine = '[1,{"a":[["1.0","x","1618678140.1"]],"c":"1"},"book-10","XBT/USD"]';
  await Deno.writeTextFile(file, [...good, badLine].join("\n") + "\n");

  const bad = await runCliCaptured(["--data-dir", dir.path, "ingest", "--replay", file]);
  assert.equal(bad.code, 1, bad.stderr);
  assert.match(
    bad.stderr,
    new RegExp(
      `session\\.jsonl:${good.length + 1}: book XBT/USD a\\.0\\.1: expected decimal text, found "x"`,
    ),
  );
  assert.deepEqual(await linesUnder(dir.path + "/hot"), {}, "no hot snapshot");
  assert.deepEqual(await linesUnder(dir.path + "/cold"), {}, "no cold bar");
  const db = await openPersistence(PersistenceSection.parse({}), dir.path, {});
  try {
    assert.deepEqual(await db.trades.listBySymbol("BTC/USD", { from: t0, to: t0 + 600_000 }, 10), []);
  } finally {
    await db.close();
  }

  // A record line whose wrapper is bad is refused the same way, naming the field and the value.
  await Deno.writeTextFile(
    file,
    [...good, '{"cryptorun_record":1,"recv_ms":"soon","frame":"{}"}'].join("\n"),
  );
  const badRecord = await runCliCaptured(["--data-dir", dir.path, "ingest", "--replay", file]);
  assert.equal(badRecord.code, 1, badRecord.stderr);
  assert.match(badRecord.stderr, new RegExp(`session\\.jsonl:${good.length + 1}: recv_ms: .*found "soon"`));
  assert.deepEqual(await linesUnder(dir.path + "/hot"), {});

  // Fixed file: the re-run writes exactly what one clean run writes (nothing duplicated).
  await Deno.writeTextFile(file, good.join("\n") + "\n");
  const ok = await runCliCaptured(["--data-dir", dir.path, "ingest", "--replay", file]);
  assert.equal(ok.code, 0, ok.stderr);
  await using fresh = await tempDir();
  const once = await runCliCaptured(["--data-dir", fresh.path, "ingest", "--replay", file]);
  assert.equal(once.code, 0, once.stderr);
  const hot = await linesUnder(dir.path + "/hot");
  assert.equal(Object.keys(hot).length, 10);
  assert.deepEqual(hot, await linesUnder(fresh.path + "/hot"));
  const cold = openColdStore(
    {
      ...ColdSection.parse({}),
      path: "cold/ohlcv_1m",
      parquet_schema: { table: "ohlcv_1m", fields: ColdSection.parse({}).parquet_schema.fields },
    },
    dir.path,
  );
  const bars = [];
  for await (const row of cold.read("ohlcv_1m", { from: t0, to: t0 + 600_000 })) bars.push(row);
  assert.deepEqual(bars, [
    { ts: t0 + 60_000, symbol: "BTC/USD", open: 101, high: 102, low: 101, close: 102, volume: 2 },
  ]);
});
