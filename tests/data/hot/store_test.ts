import assert from "node:assert/strict";
import { join } from "node:path";
import {
  readMicrostructure,
  writeMicrostructure,
  writeMicrostructureBatch,
} from "../../../src/data/hot/store.ts";
import type { MicrostructureSnapshot } from "../../../src/market/snapshot.ts";
import { InputError } from "../../../src/util/errors.ts";
import { tempDir } from "../../helpers/tmp.ts";

const snap = (symbol: string, ts: number, bid: number): MicrostructureSnapshot => ({
  ts,
  venue: "kraken",
  symbol,
  best_bid: bid,
  best_ask: bid + 1,
  mid: bid + 0.5,
  spread_bps: 1 / (bid + 0.5) * 1e4,
  depth_usd_2pct: { bid: 1000, ask: 2000 },
  verified: true,
  checksum_ok: 1,
  checksum_failed: 0,
  resyncs: 0,
});
const T0 = Date.parse("2026-01-01T23:59:59Z");

Deno.test("hot store PIT: per symbol the latest snapshot with ts ≤ asOf, across day files; never later", async () => {
  await using dir = await tempDir();
  await writeMicrostructureBatch(dir.path, "kraken", [
    snap("BTC/USD", T0, 100),
    snap("BTC/USD", T0 + 2000, 101), // next UTC day
    snap("ETH/USD", T0 - 5000, 10),
    snap("ETH/USD", T0 + 5000, 11),
  ]);
  const at0 = await readMicrostructure(dir.path, "kraken", T0);
  assert.equal(at0.get("BTC/USD")!.best_bid, 100);
  assert.equal(at0.get("ETH/USD")!.best_bid, 10);
  const at1 = await readMicrostructure(dir.path, "kraken", T0 + 2000);
  assert.equal(at1.get("BTC/USD")!.best_bid, 101);
  assert.equal(at1.get("ETH/USD")!.best_bid, 10);
  for (const asOf of [T0 - 1, T0, T0 + 1999, T0 + 2000, T0 + 4999, T0 + 10_000]) {
    for (const s of (await readMicrostructure(dir.path, "kraken", asOf)).values()) assert.ok(s.ts <= asOf);
  }
  assert.equal((await readMicrostructure(dir.path, "kraken", T0 - 6000)).size, 0);
  assert.deepEqual([
    ...(await readMicrostructure(dir.path, "kraken", T0 + 9e9, { symbols: ["ETH/USD"] })).keys(),
  ], ["ETH/USD"]);
  assert.equal((await readMicrostructure(dir.path, "coinbase", T0)).size, 0, "venues are never blended");
});

Deno.test("hot store: only verified snapshots are written; a bad one writes nothing and names the field", async () => {
  await using dir = await tempDir();
  const bad = { ...snap("BTC/USD", T0, 100), verified: false } as unknown as MicrostructureSnapshot;
  await assert.rejects(
    writeMicrostructureBatch(dir.path, "kraken", [snap("ETH/USD", T0, 1), bad]),
    (e: unknown) => e instanceof InputError && /verified/.test(e.message),
  );
  assert.equal((await readMicrostructure(dir.path, "kraken", T0)).size, 0);
  await assert.rejects(
    writeMicrostructure(dir.path, "kraken", { ...snap("BTC/USD", T0, 1), spread_bps: -1 }),
    /spread_bps/,
  );
});

Deno.test("hot store: a line cut short by a crash is ignored; a corrupt complete line is an error with file:line", async () => {
  await using dir = await tempDir();
  await writeMicrostructure(dir.path, "kraken", snap("BTC/USD", T0, 100));
  const file = join(dir.path, "hot/microstructure/kraken/2026-01-01/BTC-USD.jsonl");
  await Deno.writeTextFile(file, '{"ts":', { append: true });
  assert.equal((await readMicrostructure(dir.path, "kraken", T0)).get("BTC/USD")!.best_bid, 100);
  await Deno.writeTextFile(file, "garbage\n", { append: true });
  await assert.rejects(readMicrostructure(dir.path, "kraken", T0), /BTC-USD\.jsonl:2/);
});
