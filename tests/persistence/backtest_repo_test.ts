import assert from "node:assert/strict";
import { testBoth } from "./backends.ts";
import type { PositionInput } from "../../src/persistence/types.ts";

const H = 3_600_000;
const T0 = Date.UTC(2022, 1, 1);

const pos = (h: number, symbol: string, entry: number, exit: number): PositionInput => ({
  symbol,
  venue: "kraken",
  signal_ts: new Date(T0 + h * H),
  rank: 1,
  score: 81.5,
  entry_ts: new Date(T0 + h * H),
  entry_price: entry,
  exit_ts: new Date(T0 + (h + 24) * H),
  exit_price: exit,
  exit_reason: "hold",
  qty: 2,
  raw_pnl: 2 * (exit - entry),
  costs: 0.0045 * 2 * (entry + exit),
  spec_pnl: 2 * (exit - entry) - 0.0045 * 2 * (entry + exit),
  stake: 2 * entry,
});

testBoth(
  "backtest: save replaces a run's positions and returns; reads are PIT and ordered",
  async ({ p }) => {
    const a = pos(0, "BTC/USD", 100, 110);
    const b = pos(4, "ETH/USD", 50, 45);
    const c = pos(48, "BTC/USD", 120, 121);
    const rets = [0, 1, 2].map((d) => ({
      ts: new Date(T0 + d * 24 * H),
      ret: d === 1 ? null : 0.01 * d,
      benchmark: 0.02,
    }));
    await p.backtest.save("run-1", [c, a, b], rets);
    await p.backtest.save("run-2", [a], []);
    const all = await p.backtest.positions("run-1", { from: T0, to: T0 + 100 * H });
    assert.deepEqual(all.map((x) => [x.symbol, x.entry_ts.getTime()]), [
      ["BTC/USD", T0],
      ["ETH/USD", T0 + 4 * H],
      ["BTC/USD", T0 + 48 * H],
    ]);
    assert.equal(all[0].spec_pnl, a.spec_pnl);
    // PIT: a position not exited by `to` is not returned.
    const early = await p.backtest.positions("run-1", { from: T0, to: T0 + 30 * H });
    assert.deepEqual(early.map((x) => x.symbol), ["BTC/USD", "ETH/USD"]);
    const r = await p.backtest.returns("run-1", { from: T0, to: T0 + 24 * H });
    assert.deepEqual(r.map((x) => x.ret), [0, null]);
    // Saving again replaces (idempotent), other runs untouched.
    await p.backtest.save("run-1", [b], rets.slice(0, 1));
    assert.equal((await p.backtest.positions("run-1", { from: T0, to: T0 + 100 * H })).length, 1);
    assert.equal((await p.backtest.returns("run-1", { from: T0, to: T0 + 100 * H })).length, 1);
    assert.equal((await p.backtest.positions("run-2", { from: T0, to: T0 + 100 * H })).length, 1);
  },
);

testBoth(
  "backtest: a bad row stores nothing of the run (all or nothing) and names the field",
  async ({ p }) => {
    await p.backtest.save("run-3", [pos(0, "BTC/USD", 100, 110)], []);
    await assert.rejects(
      () =>
        p.backtest.save("run-3", [pos(4, "ETH/USD", 50, 45), { ...pos(8, "XRP/USD", 1, 1), qty: -1 }], []),
      /backtest\.save positions.*qty/s,
    );
    // The earlier save stands: nothing was deleted.
    assert.equal((await p.backtest.positions("run-3", { from: T0, to: T0 + 100 * H })).length, 1);
    await assert.rejects(() => p.backtest.save("Bad Id!", [], []), /run_id: .*"Bad Id!"/);
  },
);
