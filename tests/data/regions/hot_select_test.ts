// Hot tier active-active (src/data/regions/hot_select.ts, the data door's hot source over region directories):
// the freshest verified book is served; when regions' books disagree the answer is only as fresh as the
// oldest disagreeing one (worst-feed-wins) and region_disagree is counted; agreeing books cost nothing; PIT:
// no book after the read's end is seen, whichever region holds it.
import assert from "node:assert/strict";
import { hotBooksSource } from "../../../src/data/door/sources/hot_books.ts";
import { writeMicrostructureBatch } from "../../../src/data/hot/store.ts";
import { booksDisagree, selectBook } from "../../../src/data/regions/hot_select.ts";
import type { MicrostructureSnapshot } from "../../../src/market/snapshot.ts";
import { registry } from "../../../src/metrics/registry.ts";
import { tempDir } from "../../helpers/tmp.ts";

const T = Date.parse("2025-06-01T12:00:00Z");

function book(ts: number, mid: number, symbol = "BTC/USD"): MicrostructureSnapshot {
  const half = mid * 0.00005;
  return {
    ts,
    venue: "kraken",
    symbol,
    best_bid: mid - half,
    best_ask: mid + half,
    mid,
    spread_bps: 1,
    depth_usd_2pct: { bid: 1e6, ask: 1e6 },
    verified: true,
    checksum_ok: 10,
    checksum_failed: 0,
    resyncs: 0,
  };
}

Deno.test("selectBook: freshest served; disagreement → worst-feed-wins penalty; agreement → none", () => {
  const agree = selectBook([{ region: "us", snap: book(T, 100_000) }, {
    region: "eu",
    snap: book(T + 2_000, 100_010),
  }], 25);
  assert.equal(agree!.served.region, "eu");
  assert.equal(agree!.observedAt, T + 2_000);
  assert.equal(agree!.penaltyMs, 0);
  const split = selectBook([{ region: "us", snap: book(T, 100_000) }, {
    region: "eu",
    snap: book(T + 2_000, 101_000),
  }], 25);
  assert.equal(split!.served.region, "eu");
  assert.equal(split!.observedAt, T);
  assert.equal(split!.penaltyMs, 2_000);
  assert.deepEqual(split!.disagree, ["us"]);
  assert.equal(selectBook([], 25), null);
  // Crossed: one region's bid above the other's ask, however close the mids.
  const a = { ...book(T, 100_000), best_bid: 100_020, best_ask: 100_030, mid: 100_025 };
  assert.equal(booksDisagree(a, book(T, 100_000), 25), true);
});

Deno.test("door hot source over two regions: freshest book, penalty on disagreement, PIT", async () => {
  await using tmp = await tempDir();
  const eu = "hot/regions/eu";
  await writeMicrostructureBatch(tmp.path, "kraken", [book(T, 100_000), book(T, 3_000, "ETH/USD")], {
    hotPath: "hot",
  });
  await writeMicrostructureBatch(tmp.path, "kraken", [
    book(T + 3_000, 100_005),
    book(T + 1_000, 3_300, "ETH/USD"),
  ], {
    hotPath: eu,
  });
  // A later eu book beyond the read's end: never seen (PIT).
  await writeMicrostructureBatch(tmp.path, "kraken", [book(T + 60_000, 90_000)], { hotPath: eu });
  const src = hotBooksSource({
    id: "hot:kraken_ws",
    venue: "kraken",
    dataDir: tmp.path,
    hotPath: "hot",
    maxAgeMs: 5_000,
    regions: { leader: "us", others: [{ name: "eu", hotPath: eu }], toleranceBps: 25 },
  });
  const before = await disagreements();
  const r = await src.read({
    venue: "kraken",
    symbols: ["BTC/USD", "ETH/USD"],
    from: T - 60_000,
    to: T + 10_000,
    live: false,
    now: T + 10_000,
  });
  const btc = r.get("BTC/USD") as { rows: MicrostructureSnapshot[]; observedAt: number };
  assert.equal(btc.rows[0].ts, T + 3_000, "eu's fresher book, not the later one past `to`");
  assert.equal(btc.observedAt, T + 3_000, "the books agree: no penalty");
  const eth = r.get("ETH/USD") as { rows: MicrostructureSnapshot[]; observedAt: number };
  assert.equal(eth.rows[0].ts, T + 1_000);
  assert.equal(eth.observedAt, T, "10% apart: as fresh as the older book");
  assert.equal(await disagreements(), before + 1);
});

async function disagreements(): Promise<number> {
  const m = await registry.getSingleMetric("cryptorun_data_consistency_errors_total")!.get();
  return m.values.find((v) => v.labels.check === "region_disagree")?.value ?? 0;
}
