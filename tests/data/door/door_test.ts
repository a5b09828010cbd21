import assert from "node:assert/strict";
import { createDataDoor } from "../../../src/data/door/door.ts";
import { registry } from "../../../src/metrics/registry.ts";
import { fakeSource, type Row, rows } from "./fake_source.ts";

const T = Date.UTC(2024, 4, 1, 12);
const H = 3_600_000;

/** hot (5 s) → warm (15 s) → cold (no limit), each scripted per symbol. */
function tiers() {
  const hot = fakeSource("hot:kraken_ws", "hot", 5_000, {
    A: { rows: rows("A", "hot", T - 1_000), observedAt: T - 1_000 },
    B: { rows: rows("B", "hot", T - 12_000), observedAt: T - 12_000 },
    D: { rows: rows("D", "hot", T - 20_000), observedAt: T - 20_000 },
  });
  const warm = fakeSource("warm:kraken_rest", "warm", 15_000, {
    A: { rows: rows("A", "warm", T - 2_000), observedAt: T - 2_000 },
    B: { rows: rows("B", "warm", T - 3_000), observedAt: T - 3_000 },
    C: { miss: "miss" },
    D: { rows: rows("D", "warm", T - 30_000), observedAt: T - 30_000 },
  });
  const cold = fakeSource("cold:kraken", "cold", null, {
    A: { rows: rows("A", "cold", T - 2 * H, T - H), observedAt: T - H },
    C: { rows: rows("C", "cold", T - 2 * H, T - H), observedAt: T - H },
  });
  return { hot, warm, cold };
}

Deno.test("door: hot → warm → cold fall-through; each answer says who served it, how old, and what fell through", async () => {
  const { hot, warm, cold } = tiers();
  const ratios: Record<string, number> = {};
  const lookups: Record<string, number> = {};
  const lags: Array<[string, number]> = [];
  const door = createDataDoor<{ books: Row }>({
    sources: { books: [hot, warm, cold] },
    now: () => T,
    metrics: {
      hitRatio: (tier, r) => (ratios[tier] = r),
      lookup: (
        tier,
        outcome,
        n,
      ) => (lookups[`${tier} ${outcome}`] = (lookups[`${tier} ${outcome}`] ?? 0) + n),
      warmLag: (source, ms) => lags.push([source, ms]),
    },
  });
  // Every reachable tier × outcome exists from the start (0), so rate() works from the first scrape.
  assert.equal(Object.keys(lookups).length, 12);
  assert.ok(Object.values(lookups).every((n) => n === 0));
  const read = await door.read("books", { venue: "kraken", symbols: ["A", "B", "C", "D", "E"], to: T });
  const a = (s: string) => read.answers.get(s)!;

  assert.deepEqual(a("A").served_by, { tier: "hot", source: "hot:kraken_ws" });
  assert.equal(a("A").age_ms, 1_000);
  assert.deepEqual(a("A").chain, []);
  assert.equal(a("A").stale, false);
  assert.deepEqual(a("A").rows.map((r) => r.from), ["hot"]);

  // A stale hot book falls through to a fresh warm one, and the answer says why.
  assert.deepEqual(a("B").served_by, { tier: "warm", source: "warm:kraken_rest" });
  assert.deepEqual(a("B").chain, ["hot_stale:12000ms"]);
  assert.equal(a("B").age_ms, 3_000);

  // Missing in hot and warm: cold serves (no age limit), age = to − newest row.
  assert.deepEqual(a("C").served_by, { tier: "cold", source: "cold:kraken" });
  assert.deepEqual(a("C").chain, ["hot_miss", "warm_miss"]);
  assert.equal(a("C").age_ms, H);
  assert.deepEqual(a("C").rows.map((r) => r.ts), [T - 2 * H, T - H]);

  // Every source stale or missing: the highest-authority stale answer, flagged.
  assert.deepEqual(a("D").served_by, { tier: "hot", source: "hot:kraken_ws" });
  assert.equal(a("D").stale, true);
  assert.deepEqual(a("D").chain, ["hot_stale:20000ms", "warm_stale:30000ms", "cold_miss"]);

  // Nothing anywhere.
  assert.equal(a("E").served_by, null);
  assert.equal(a("E").age_ms, null);
  assert.deepEqual(a("E").rows, []);
  assert.deepEqual(a("E").chain, ["hot_miss", "warm_miss", "cold_miss"]);

  // Authority: a lower source is asked only for what every higher one could not serve fresh.
  assert.deepEqual(hot.calls, [["A", "B", "C", "D", "E"]]);
  assert.deepEqual(warm.calls, [["B", "C", "D", "E"]]);
  assert.deepEqual(cold.calls, [["C", "D", "E"]]);

  // Hit ratio per tier = served fresh / lookups reaching the tier.
  assert.deepEqual(ratios, { hot: 1 / 5, warm: 1 / 4, cold: 1 / 3 });
  assert.equal(door.hitRatio("warm"), 1 / 4);
  assert.deepEqual(
    Object.fromEntries(Object.entries(lookups).filter(([, n]) => n > 0)),
    {
      "hot hit": 1,
      "hot stale": 2,
      "hot miss": 2,
      "warm hit": 1,
      "warm stale": 1,
      "warm miss": 2,
      "cold hit": 1,
      "cold miss": 2,
    },
  );
  // The oldest warm copy this read looked at (D's, 30 s behind): the warm tier's replication lag.
  assert.deepEqual(lags, [["kraken_rest", 30_000]]);
});

Deno.test("door: authority, not freshness, picks among usable sources; the config order is the order asked", async () => {
  const { hot, warm, cold } = tiers();
  const door = createDataDoor<{ books: Row }>({
    sources: { books: [cold, warm, hot] },
    now: () => T,
    metrics: { hitRatio: () => {} },
  });
  const read = await door.read("books", { venue: "kraken", symbols: ["A", "B"], to: T });
  // cold holds A (an hour old, but cold has no age limit): it outranks the 1 s old hot book.
  assert.deepEqual(read.answers.get("A")!.served_by, { tier: "cold", source: "cold:kraken" });
  assert.equal(read.answers.get("A")!.age_ms, H);
  // cold has no B: warm (fresh) answers before hot is asked.
  assert.deepEqual(read.answers.get("B")!.served_by?.tier, "warm");
  assert.deepEqual(read.answers.get("B")!.chain, ["cold_miss"]);
  assert.deepEqual(hot.calls, []);
});

Deno.test("door: a failing source falls through with its reason; sources of other venues are not asked", async () => {
  const down = fakeSource("hot:kraken_ws", "hot", 5_000, { A: new Error("feed down\nstack…") });
  const other = fakeSource(
    "cold:binance",
    "cold",
    null,
    { A: { rows: rows("A", "x", T), observedAt: T } },
    "binance",
  );
  const cold = fakeSource("cold:kraken", "cold", null, {
    A: { rows: rows("A", "cold", T - H), observedAt: T - H },
  });
  const door = createDataDoor<{ bars: Row }>({
    sources: { bars: [down, other, cold] },
    metrics: { hitRatio: () => {} },
  });
  const read = await door.read("bars", { venue: "kraken", symbols: ["A"], from: T - 2 * H, to: T });
  const a = read.answers.get("A")!;
  assert.deepEqual(a.served_by, { tier: "cold", source: "cold:kraken" });
  assert.deepEqual(a.chain, ["hot_failed:feed down"]);
  assert.deepEqual(other.calls, []);
  await assert.rejects(
    door.read("nope" as "bars", { venue: "kraken", symbols: ["A"], to: T }),
    /no data kind "nope"/,
  );
});

async function pitErrors(): Promise<number> {
  const m = await registry.getSingleMetric("cryptorun_data_consistency_errors_total")!.get();
  return m.values.find((v) => v.labels.check === "door_pit")?.value ?? 0;
}

Deno.test("door PIT: nothing after `to` leaves the door, whatever a source returns (counted); window start kept", async () => {
  const liar = fakeSource("hot:kraken_ws", "hot", 5_000, {
    A: { rows: rows("A", "hot", T - 3 * H, T - 1_000, T + 1, T + H), observedAt: T - 1_000 },
    B: { rows: rows("B", "hot", T + 10), observedAt: T + 10 },
  });
  const cold = fakeSource("cold:kraken", "cold", null, {
    B: { rows: rows("B", "cold", T - H, T, T + H), observedAt: T + H },
  });
  const door = createDataDoor<{ books: Row }>({
    sources: { books: [liar, cold] },
    metrics: { hitRatio: () => {} },
  });
  const before = await pitErrors();
  const read = await door.read("books", { venue: "kraken", symbols: ["A", "B"], from: T - 2 * H, to: T });
  assert.deepEqual(read.answers.get("A")!.rows.map((r) => r.ts), [T - 1_000]);
  // B's only hot row is after `to`: nothing usable there → cold, clamped too.
  assert.deepEqual(read.answers.get("B")!.chain, ["hot_miss"]);
  assert.deepEqual(read.answers.get("B")!.rows.map((r) => r.ts), [T - H, T]);
  for (const a of read.answers.values()) assert.ok(a.rows.every((r) => r.ts <= T && r.ts >= T - 2 * H));
  assert.equal(await pitErrors() - before, 4);
  await assert.rejects(
    door.read("books", { venue: "kraken", symbols: ["A"], from: T, to: T - 1 }),
    /from after to/,
  );
});

Deno.test("door: a live read fixes `to` once every source answered; a row stamped later is still dropped", async () => {
  let clock = T;
  const tick = () => (clock += 100);
  const src = fakeSource("warm:kraken_rest", "warm", 15_000, {
    A: { rows: rows("A", "warm", T + 150), observedAt: T + 150 }, // e.g. fetched during the read
    B: { rows: rows("B", "warm", T + 10_000), observedAt: T + 10_000 }, // a clock-skewed row from the future
  });
  const door = createDataDoor<{ books: Row }>({
    sources: { books: [src] },
    now: tick,
    metrics: { hitRatio: () => {} },
  });
  const read = await door.read("books", { venue: "kraken", symbols: ["A", "B"], to: "now" });
  assert.equal(read.live, true);
  assert.ok(read.to >= T + 150 && read.to < T + 10_000, String(read.to - T));
  assert.deepEqual(read.answers.get("A")!.served_by?.tier, "warm");
  assert.equal(read.answers.get("A")!.age_ms, read.to - (T + 150));
  assert.equal(read.answers.get("B")!.served_by, null);
  assert.deepEqual(read.answers.get("B")!.chain, ["warm_miss"]);
});

Deno.test("door: a new data kind plugs in as one more source list (no door change)", async () => {
  interface Deriv extends Row {
    funding: number;
  }
  const derivs = fakeSource("cold:derivs", "cold", null, {});
  derivs.read = (req) =>
    Promise.resolve(
      new Map(
        req.symbols.map((
          s,
        ) => [s, {
          rows: [{ ts: T - H, symbol: s, from: "cold", funding: 0.0001 }] as Deriv[],
          observedAt: T - H,
        }]),
      ),
    );
  const door = createDataDoor<{ bars: Row; derivs: Deriv }>({
    sources: { bars: [], derivs: [derivs as never] },
    metrics: { hitRatio: () => {} },
  });
  const read = await door.read("derivs", { venue: "kraken", symbols: ["BTC/USD"], to: T });
  assert.equal(read.answers.get("BTC/USD")!.rows[0].funding, 0.0001);
  assert.deepEqual(door.sources("derivs").map((s) => s.id), ["cold:derivs"]);
});
