import assert from "node:assert/strict";
import { loadConfig } from "../../src/config/load.ts";
import type { Config } from "../../src/config/schema.ts";
import { openDataFacade } from "../../src/data/facade.ts";
import type { OhlcvRow } from "../../src/market/ohlcv.ts";
import { InputError } from "../../src/util/errors.ts";
import { createLogger } from "../../src/log/logger.ts";
import type { Persistence } from "../../src/persistence/types.ts";
import { tempDir } from "../helpers/tmp.ts";

const T0 = Date.UTC(2024, 4, 1);
const H = 3_600_000;

async function config(env: Record<string, string> = {}): Promise<Config> {
  return (await loadConfig({ configPath: "/nonexistent/cryptorun.yaml", env })).config;
}

function bars(n: number): OhlcvRow[] {
  return Array.from({ length: n }, (_, i) => ({
    ts: T0 + i * H,
    symbol: "BTC/USD",
    open: 100 + i,
    high: 101 + i,
    low: 99 + i,
    close: 100.5 + i,
    volume: 10 + i,
  }));
}

Deno.test("facade: cold tier and embedded database side by side, both PIT", async () => {
  await using dir = await tempDir();
  const f = openDataFacade(await config(), dir.path, {});
  try {
    await f.writeOhlcv(bars(10));
    const got: Partial<OhlcvRow>[] = [];
    for await (const r of f.ohlcv({ from: T0 + 2 * H, to: T0 + 5 * H })) got.push(r);
    assert.deepEqual(got.map((r) => r.ts), [2, 3, 4, 5].map((i) => T0 + i * H));
    assert.ok(got.every((r) => r.ts! <= T0 + 5 * H), "a bar after To leaked");

    const snap = (h: number, regime: "trending" | "choppy") => ({
      ts: new Date(T0 + h * H),
      realized_vol_7d: 0.2,
      pct_above_20ma: 0.6,
      breadth_thrust: 0.4,
      regime,
      weights: { momentum: 0.4 },
    });
    assert.equal(await f.storeRegime(snap(0, "choppy")), true);
    assert.equal(await f.storeRegime(snap(4, "trending")), true);
    assert.equal((await f.latestRegime(new Date(T0 + 4 * H - 1)))?.regime, "choppy");
    assert.equal((await f.latestRegime(new Date(T0 + 4 * H)))?.regime, "trending");

    const r = await f.storeTrades([
      { ts: new Date(T0), symbol: "BTC/USD", venue: "kraken", side: "buy", price: 100, qty: 1, trade_id: 1 },
      {
        ts: new Date(T0 + H),
        symbol: "BTC/USD",
        venue: "kraken",
        side: "sell",
        price: 101,
        qty: 2,
        trade_id: 2,
      },
    ]);
    assert.deepEqual(r, { inserted: 2, duplicates: 0 });
    assert.deepEqual((await f.trades("BTC/USD", { from: T0, to: T0 + H - 1 }, 10)).map((t) => t.trade_id), [
      "1",
    ]);

    assert.equal(
      await f.storePremove({
        ts: new Date(T0),
        symbol: "BTC/USD",
        gate_a: true,
        gate_b: false,
        gate_c: null,
        score: 61,
        factors: { vadr: 1.9 },
      }),
      true,
    );
    assert.equal((await f.premoveWindow({ from: T0, to: T0 })).length, 1);
    assert.deepEqual(await f.premoveWindow({ from: T0 + 1, to: T0 + H }), []);
    // The database lives under <data-dir>/db.
    assert.ok((await Deno.stat(`${dir.path}/db`)).isDirectory);
  } finally {
    await f.close();
    await f.close();
  }
});

Deno.test("facade: persistence.enabled false — writes skipped with a reason, reads name the flag, no db opened", async () => {
  await using dir = await tempDir();
  let opened = 0;
  const lines: string[] = [];
  const f = openDataFacade(await config({ CRYPTORUN_PERSISTENCE_ENABLED: "false" }), dir.path, {}, {
    log: createLogger({ level: "debug", json: true, sink: (l) => lines.push(l) }),
    openPersistence: () => {
      opened++;
      return Promise.reject(new Error("must not open"));
    },
  });
  try {
    assert.equal(f.persistenceEnabled, false);
    const r = await f.storeTrades([
      { ts: new Date(T0), symbol: "BTC/USD", venue: "kraken", side: "buy", price: 1, qty: 1 },
    ]);
    assert.deepEqual(r, { inserted: 0, duplicates: 0, skipped: "persistence.enabled is false" });
    assert.equal(
      await f.storeRegime({
        ts: new Date(T0),
        realized_vol_7d: 0,
        pct_above_20ma: 0,
        breadth_thrust: 0,
        regime: "mixed",
        weights: {},
      }),
      false,
    );
    assert.equal(
      await f.storePremove({
        ts: new Date(T0),
        symbol: "BTC/USD",
        gate_a: null,
        gate_b: null,
        gate_c: null,
        score: null,
        factors: {},
      }),
      false,
    );
    // Skipped writes are said in the log, not silent.
    const said = lines.map((l) => JSON.parse(l)).filter((l) => l.reason === "persistence.enabled is false");
    assert.deepEqual(said.map((l) => l.msg), [
      "trades not stored",
      "regime snapshot not stored",
      "premove artifact not stored",
    ]);
    await assert.rejects(
      f.latestRegime(new Date(T0)),
      (e: Error) => e instanceof InputError && /persistence\.enabled/.test(e.message),
    );
    // The cold tier still works.
    await f.writeOhlcv(bars(2));
    let n = 0;
    for await (const _ of f.ohlcv({ from: T0, to: T0 + H })) n++;
    assert.equal(n, 2);
    assert.equal(opened, 0);
    assert.throws(() => Deno.statSync(`${dir.path}/db`), Deno.errors.NotFound);
  } finally {
    await f.close();
  }
});

Deno.test("facade: the database opens lazily once, a failed open is retried, close closes it", async () => {
  await using dir = await tempDir();
  let opens = 0, closes = 0;
  const fake = {
    kind: "embedded",
    regime: { latest: () => Promise.resolve(null), upsert: () => Promise.resolve() },
    close: () => {
      closes++;
      return Promise.resolve();
    },
  } as unknown as Persistence;
  const f = openDataFacade(await config(), dir.path, {}, {
    openPersistence: () =>
      ++opens === 1 ? Promise.reject(new Error("server starting")) : Promise.resolve(fake),
  });
  assert.equal(opens, 0, "opened before first use");
  await assert.rejects(f.latestRegime(new Date()), /server starting/);
  assert.equal(await f.latestRegime(new Date()), null);
  assert.equal(await f.latestRegime(new Date()), null);
  assert.equal(opens, 2);
  await f.close();
  assert.equal(closes, 1);
  await assert.rejects(f.latestRegime(new Date()), /closed/);
});
