// `cryptorun backfill` end to end (issue 18) against a loopback server speaking Kraken's Trades format
// (fake_trades_server.ts: the REAL recorded XBTUSDT prints, seeded ETH prints): the bars equal an independent
// aggregation of the same trades written here; a second run adds nothing; SIGKILL at every step of a run
// (named failpoints) and at seeded random delays, then a re-run, gives the identical cold tier; a storm of
// HTTP 429 / EAPI:Rate limit exceeded slows the run without changing the result.
import assert from "node:assert/strict";
import { ColdSection } from "../../src/config/sections/cold.ts";
import { openColdTables } from "../../src/data/cold/store.ts";
import { PersistenceSection } from "../../src/config/sections/persistence.ts";
import { openPersistence } from "../../src/persistence/open.ts";
import { tempDir } from "../helpers/tmp.ts";
import { runCli, startCli } from "../data/cold/table_helpers.ts";
import {
  type RawTrade,
  recordedBtcTrades,
  startFakeKraken,
  syntheticEthTrades,
} from "./fake_trades_server.ts";

const FROM = "2025-11-10T00:00:00Z";
const TO = "2025-11-11T00:00:00Z";
const TRADES: Record<string, RawTrade[]> = { XBTUSD: recordedBtcTrades(), ETHUSD: syntheticEthTrades() };

interface Bar {
  ts: number;
  symbol: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  vwap: number | null;
  trades: number | null;
}

/** The independent aggregation: group the served prints by UTC minute inside [FROM, TO). */
function expectedBars(): Bar[] {
  const from = Date.parse(FROM);
  const to = Date.parse(TO);
  const out: Bar[] = [];
  for (const [pair, symbol] of [["XBTUSD", "BTC/USD"], ["ETHUSD", "ETH/USD"]]) {
    const groups = new Map<number, RawTrade[]>();
    for (const t of TRADES[pair]) {
      const ms = t[2] * 1000;
      if (ms < from || ms >= to) continue;
      const m = ms - (ms % 60_000);
      if (!groups.has(m)) groups.set(m, []);
      groups.get(m)!.push(t);
    }
    for (const [m, ts] of groups) {
      const p = ts.map((t) => Number(t[0]));
      const q = ts.map((t) => Number(t[1]));
      let vol = 0;
      let pq = 0;
      for (let i = 0; i < p.length; i++) {
        vol += q[i];
        pq += p[i] * q[i];
      }
      out.push({
        ts: m,
        symbol,
        open: p[0],
        high: Math.max(...p),
        low: Math.min(...p),
        close: p[p.length - 1],
        volume: vol,
        vwap: pq / vol,
        trades: ts.length,
      });
    }
  }
  return out.sort((a, b) => a.ts - b.ts || (a.symbol < b.symbol ? -1 : 1));
}

async function storedBars(dataDir: string): Promise<Bar[]> {
  const tables = openColdTables(ColdSection.parse({}), dataDir, { log: { warn() {} } });
  const out: Bar[] = [];
  for await (const r of tables.table("ohlcv_1m").read({ from: 0, to: 8.64e15 })) {
    out.push(r as unknown as Bar);
  }
  return out;
}

const env = (url: string, extra: Record<string, string> = {}) => ({
  CRYPTORUN_KRAKEN_REST_BASE_URL: url,
  CRYPTORUN_KRAKEN_TIER: "pro",
  ...extra,
});
const ARGV = (dataDir: string, extra: string[] = []) => [
  "--data-dir",
  dataDir,
  "--json",
  "backfill",
  "--venue",
  "kraken",
  "--symbols",
  "BTC/USD,ETH/USD",
  "--from",
  FROM,
  "--to",
  TO,
  "--no-trades",
  "--batch-minutes",
  "120",
  ...extra,
];

function done(stdout: string) {
  const last = stdout.trim().split("\n").at(-1)!;
  const o = JSON.parse(last);
  assert.equal(o.event, "done", stdout);
  return o as {
    symbols: { symbol: string; bars_written: number; bars_identical: number; refusals: number }[];
  };
}

Deno.test("backfill: a day of trades → bars equal to an independent aggregation; a second run adds nothing", async () => {
  await using srv = startFakeKraken({ trades: TRADES, pageSize: 250 });
  await using tmp = await tempDir();
  const r1 = await runCli(ARGV(tmp.path), env(srv.url));
  assert.equal(r1.code, 0, r1.stderr);
  const want = expectedBars();
  assert.ok(want.length > 1000, `bars: ${want.length}`);
  const got = await storedBars(tmp.path);
  assert.equal(got.length, want.length);
  for (let i = 0; i < want.length; i++) {
    const g = got[i];
    const w = want[i];
    assert.deepEqual({ ...g, vwap: null }, { ...w, vwap: null }, `bar ${i}`);
    assert.ok(Math.abs(g.vwap! - w.vwap!) <= 1e-9 * w.vwap!, `vwap of bar ${i}: ${g.vwap} vs ${w.vwap}`);
  }
  // Progress lines came before the result.
  assert.match(r1.stdout, /"event":"progress"/);
  const d1 = done(r1.stdout);
  assert.equal(d1.symbols.reduce((n, s) => n + s.bars_written, 0), want.length);

  // Second run: the checkpoints say it is all committed; nothing is asked and nothing written.
  const served = srv.served;
  const r2 = await runCli(ARGV(tmp.path), env(srv.url));
  assert.equal(r2.code, 0, r2.stderr);
  assert.equal(done(r2.stdout).symbols.reduce((n, s) => n + s.bars_written, 0), 0);
  assert.equal(srv.served, served, "no Trades call after a completed run");
  // Without checkpoints (deleted), every bar is found already stored: still nothing written.
  await Deno.remove(`${tmp.path}/backfill/checkpoints`, { recursive: true });
  const r3 = await runCli(ARGV(tmp.path), env(srv.url));
  assert.equal(r3.code, 0, r3.stderr);
  const d3 = done(r3.stdout);
  assert.equal(d3.symbols.reduce((n, s) => n + s.bars_written, 0), 0);
  assert.equal(d3.symbols.reduce((n, s) => n + s.bars_identical, 0), want.length);
  assert.deepEqual(await storedBars(tmp.path), got);
});

Deno.test("backfill: SIGKILL at every step and at random delays, then a re-run → the identical cold tier", async () => {
  await using srv = startFakeKraken({ trades: TRADES, pageSize: 250 });
  await using tmp = await tempDir();
  const ref = `${tmp.path}/ref`;
  const r0 = await runCli(ARGV(ref), env(srv.url));
  assert.equal(r0.code, 0, r0.stderr);
  const want = await storedBars(ref);
  const points = [
    "backfill.page:1",
    "backfill.page:3",
    "backfill.before_bars:2",
    "backfill.bars_written:1",
    "backfill.bars_written:9",
    "backfill.checkpointed:1",
    "backfill.checkpointed:7",
    "cold.staged:1",
    "cold.before_switch:3",
    "cold.after_switch:5",
  ];
  let i = 0;
  for (const fp of points) {
    const dir = `${tmp.path}/fp${i++}`;
    const k = await runCli(ARGV(dir), env(srv.url, { CRYPTORUN_FAILPOINT: fp }));
    assert.equal(k.signal, "SIGKILL", `${fp}: expected a kill, got code ${k.code}: ${k.stderr}`);
    // A second kill at the same point of the resumed run, then a clean re-run.
    const k2 = await runCli(ARGV(dir), env(srv.url, { CRYPTORUN_FAILPOINT: fp }));
    assert.ok(k2.signal === "SIGKILL" || k2.code === 0, `${fp} (2nd): ${k2.code} ${k2.stderr}`);
    const r = await runCli(ARGV(dir), env(srv.url));
    assert.equal(r.code, 0, `${fp}: ${r.stderr}`);
    assert.deepEqual(await storedBars(dir), want, `cold tier after a kill at ${fp}`);
    const v = await openColdTables(ColdSection.parse({}), dir, { log: { warn() {} } }).table("ohlcv_1m")
      .verify();
    assert.ok(v.ok, `${fp}: cold verify: ${JSON.stringify(v.damaged)}`);
  }
  // Kills at seeded random moments (the process is killed from outside).
  let s = 11;
  for (let j = 0; j < 3; j++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const delay = 300 + Math.round((s / 4294967296) * 1500);
    const dir = `${tmp.path}/rnd${j}`;
    const p = startCli(ARGV(dir), env(srv.url));
    await new Promise((r) => setTimeout(r, delay));
    try {
      p.child.kill("SIGKILL");
    } catch { /* already finished */ }
    await p.done;
    const r = await runCli(ARGV(dir), env(srv.url));
    assert.equal(r.code, 0, `random kill after ${delay} ms: ${r.stderr}`);
    assert.deepEqual(await storedBars(dir), want, `cold tier after a kill at ${delay} ms`);
  }
});

Deno.test("backfill: a 429 / EAPI:Rate limit exceeded storm slows it, is never taken as data, same result", async () => {
  await using clean = startFakeKraken({ trades: TRADES, pageSize: 250 });
  await using storm = startFakeKraken({
    trades: TRADES,
    pageSize: 250,
    // Calls 2–5 and 9–10 are refused, alternating HTTP 429 and Kraken's error.
    refuse: (n) => ((n >= 2 && n <= 5) || n === 9 || n === 10 ? (n % 2 ? "eapi" : "http429") : null),
  });
  await using tmp = await tempDir();
  const a = await runCli(ARGV(`${tmp.path}/a`), env(clean.url));
  assert.equal(a.code, 0, a.stderr);
  const b = await runCli(ARGV(`${tmp.path}/b`), env(storm.url, { CRYPTORUN_KRAKEN_MAX_RETRIES: "0" }));
  assert.equal(b.code, 0, b.stderr);
  assert.equal(storm.refused, 6);
  assert.equal(done(b.stdout).symbols.reduce((n, s) => n + s.refusals, 0), 6);
  assert.equal(storm.served, clean.served, "a refused call is asked again, not skipped");
  assert.deepEqual(await storedBars(`${tmp.path}/b`), await storedBars(`${tmp.path}/a`));
});

Deno.test("backfill: raw trades reach the trades table once, also across a kill and a re-run (embedded database)", async () => {
  await using srv = startFakeKraken({ trades: TRADES, pageSize: 250 });
  await using tmp = await tempDir();
  const from = "2025-11-10T17:00:00Z";
  const to = "2025-11-10T20:00:00Z";
  const argv = [
    "--data-dir",
    tmp.path,
    "backfill",
    "--venue",
    "kraken",
    "--symbols",
    "BTC/USD",
    "--from",
    from,
    "--to",
    to,
    "--batch-minutes",
    "30",
  ];
  const k = await runCli(argv, env(srv.url, { CRYPTORUN_FAILPOINT: "backfill.before_bars:2" }));
  assert.equal(k.signal, "SIGKILL", k.stderr);
  const r = await runCli(argv, env(srv.url));
  assert.equal(r.code, 0, r.stderr);
  // Without the checkpoint the whole window is read and stored again: still once.
  await Deno.remove(`${tmp.path}/backfill/checkpoints`, { recursive: true });
  const again = await runCli(argv, env(srv.url));
  assert.equal(again.code, 0, again.stderr);
  const f = Date.parse(from);
  const t = Date.parse(to);
  const want = TRADES.XBTUSD.filter((x) => x[2] * 1000 >= f && x[2] * 1000 < t);
  assert.ok(want.length > 100, `trades in the window: ${want.length}`);
  const db = await openPersistence(PersistenceSection.parse({}), tmp.path, {});
  try {
    const stored = await db.trades.listBySymbol("BTC/USD", { from: f, to: t }, 100_000);
    assert.equal(stored.length, want.length);
    assert.deepEqual(
      stored.map((x) => [x.trade_id, x.price, x.qty]).sort((a, b) => Number(a[0]) - Number(b[0])),
      want.map((x) => [String(x[6]), Number(x[0]), Number(x[1])]),
    );
  } finally {
    await db.close();
  }
});

Deno.test("backfill: a stored bar with other values wins; --overwrite replaces it", async () => {
  await using srv = startFakeKraken({ trades: TRADES, pageSize: 250 });
  await using tmp = await tempDir();
  const argv = (extra: string[] = []) => [
    "--data-dir",
    tmp.path,
    "--json",
    "backfill",
    "--venue",
    "kraken",
    "--symbols",
    "BTC/USD",
    "--from",
    "2025-11-10T17:00:00Z",
    "--to",
    "2025-11-10T19:00:00Z",
    "--no-trades",
    ...extra,
  ];
  // The bar of a minute that has trades, stored beforehand with other values (e.g. from another source).
  const want = expectedBars().filter((b) =>
    b.symbol === "BTC/USD" && b.ts < Date.parse("2025-11-10T19:00:00Z")
  );
  const victim = want[3];
  const other = {
    ...victim,
    close: victim.close + 1,
    high: Math.max(victim.high, victim.close + 1),
    vwap: null,
  };
  const tables = openColdTables(ColdSection.parse({}), tmp.path, { log: { warn() {} } });
  await tables.table("ohlcv_1m").write([other]);
  const r1 = await runCli(argv(), env(srv.url));
  assert.equal(r1.code, 0, r1.stderr);
  const d1 = JSON.parse(r1.stdout.trim().split("\n").at(-1)!).symbols[0];
  assert.equal(d1.bars_kept, 1);
  assert.equal(d1.bars_written, want.length - 1);
  const after1 = (await storedBars(tmp.path)).find((b) => b.ts === victim.ts)!;
  assert.equal(after1.close, other.close, "the stored bar won");
  await Deno.remove(`${tmp.path}/backfill/checkpoints`, { recursive: true });
  const r2 = await runCli(argv(["--overwrite"]), env(srv.url));
  assert.equal(r2.code, 0, r2.stderr);
  const d2 = JSON.parse(r2.stdout.trim().split("\n").at(-1)!).symbols[0];
  assert.equal(d2.bars_replaced, 1);
  assert.equal(d2.bars_identical, want.length - 1);
  const after2 = (await storedBars(tmp.path)).filter((b) => b.symbol === "BTC/USD");
  assert.equal(after2.length, want.length);
  const v = after2.find((b) => b.ts === victim.ts)!;
  assert.equal(v.close, victim.close);
  assert.equal(v.trades, victim.trades);
});

Deno.test("backfill: a pair the venue refuses fails alone (exit 1, named); the other symbols are backfilled", async () => {
  await using srv = startFakeKraken({ trades: TRADES, pageSize: 250 }); // serves no XDGUSD (DOGE/USD)
  await using tmp = await tempDir();
  const r = await runCli([
    "--data-dir",
    tmp.path,
    "--json",
    "backfill",
    "--venue",
    "kraken",
    "--symbols",
    "DOGE/USD,BTC/USD",
    "--from",
    "2025-11-10T17:00:00Z",
    "--to",
    "2025-11-10T19:00:00Z",
    "--no-trades",
  ], env(srv.url));
  assert.equal(r.code, 1, r.stderr);
  const d = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
  assert.deepEqual(d.failed, ["DOGE/USD"]);
  assert.match(d.symbols[0].error, /EQuery:Unknown asset pair/);
  assert.ok(d.symbols[1].bars_written > 0);
  assert.equal((await storedBars(tmp.path)).length, d.symbols[1].bars_written);
});
