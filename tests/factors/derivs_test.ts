import assert from "node:assert/strict";
import { derivsFeatures, fundingDivergence, fundingSeries } from "../../src/factors/derivs.ts";
import type { DerivsRow } from "../../src/market/derivs.ts";

const H = 3_600_000;
const T0 = Date.UTC(2026, 0, 1);

function row(i: number, rel: number, extra: Partial<DerivsRow> = {}): DerivsRow {
  return {
    ts: T0 + i * H,
    symbol: "BTC/USD",
    venue: "krakenfutures",
    source: "test",
    record: "funding",
    contract: "perpetual",
    expiry: null,
    funding_rate_relative: rel,
    funding_interval_h: 1,
    funding_rate_annualized: rel * 8760,
    open_interest: null,
    open_interest_unit: null,
    mark_price: null,
    index_price: null,
    basis: null,
    basis_annualized: null,
    ...extra,
  };
}

/** Seeded funding prints (LCG), per hour, around 1e-5. */
function prints(n: number, seed = 11): DerivsRow[] {
  let s = seed;
  const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
  return Array.from({ length: n }, (_, i) => row(i, 1e-5 + (rnd() - 0.5) * 2e-5));
}

Deno.test("funding z: 30 periods before the newest one, computed by hand", () => {
  const rows = prints(40);
  const asOf = rows[39].ts;
  const f = derivsFeatures(rows, asOf, 30)!;
  // shift(1): periods 9..38 (the newest, 39, is not used); z of period 38 against their mean and stdev.
  const w = rows.slice(9, 39).map((r) => r.funding_rate_relative!);
  const mean = w.reduce((a, b) => a + b, 0) / 30;
  const sd = Math.sqrt(w.reduce((a, b) => a + (b - mean) ** 2, 0) / 30);
  const expected = (w[29] - mean) / sd;
  assert.ok(Math.abs(f.funding_z! - expected) < 1e-12, `${f.funding_z} vs ${expected}`);
  assert.equal(f.funding_periods, 40);
  // The newest print itself is shown, but is not in the z: changing it changes nothing in the z.
  const changed = [...rows.slice(0, 39), row(39, 0.003)];
  assert.equal(derivsFeatures(changed, asOf, 30)!.funding_z, f.funding_z);
  assert.equal(derivsFeatures(changed, asOf, 30)!.funding_relative, 0.003);
  // Fewer than lookback + 1 periods: no z.
  assert.equal(derivsFeatures(rows.slice(0, 30), rows[29].ts, 30)!.funding_z, null);
});

Deno.test("PIT: appending future prints changes nothing at as-of", () => {
  const rows = prints(60);
  const asOf = rows[44].ts + 30 * 60_000; // 44:30
  const past = derivsFeatures(rows.slice(0, 45), asOf, 30);
  const all = derivsFeatures(rows, asOf, 30);
  assert.deepEqual(all, past);
  assert.ok(all!.funding_z !== null);
  assert.equal(all!.ts, rows[44].ts);
  assert.equal(all!.age_ms, 30 * 60_000);
});

Deno.test("funding series: one value per funding period (the last print), per hour; 8h intervals", () => {
  const r8 = (h: number, rel: number) => row(h, rel, { funding_interval_h: 8 });
  const s = fundingSeries([r8(0, 8e-4), r8(3, 1.6e-3), r8(8, 8e-5)], T0 + 100 * H);
  assert.deepEqual(s.map((x) => x.perHour), [1.6e-3 / 8, 8e-5 / 8]);
});

Deno.test("ΔOI over an hour and basis come from the newest rows known at as-of", () => {
  const snap = (i: number, oi: number, basis: number) =>
    row(i, 1e-5, { record: "snapshot", open_interest: oi, open_interest_unit: "contracts", basis });
  const f = derivsFeatures(
    [snap(0, 1000, 0.001), snap(1, 1100, 0.002), snap(2, 1210, 0.003)],
    T0 + 2 * H,
    30,
  )!;
  assert.ok(Math.abs(f.oi_change_1h! - Math.log(1210 / 1100)) < 1e-15);
  assert.equal(f.basis, 0.003);
  assert.equal(f.basis_ts, T0 + 2 * H);
});

Deno.test("funding divergence: z of the first venue; deviation from the median needs two venues", () => {
  const rows = prints(40);
  const a = derivsFeatures(rows, rows[39].ts, 30)!;
  assert.deepEqual(fundingDivergence([a]), { z: a.funding_z!, maxVenueDev: null, venues: 1 });
  const b = { ...a, venue: "okx", funding_z: null, funding_per_hour: a.funding_per_hour! + 1e-4 };
  const d = fundingDivergence([a, b])!;
  assert.ok(Math.abs(d.maxVenueDev! - 5e-5) < 1e-15);
  assert.equal(d.venues, 2);
});
