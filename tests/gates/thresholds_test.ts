// Each regime's configured threshold reaches its entry gate (issue 16): per regime and per regime-dependent
// gate (spread, depth, VADR, 24h move) a config with distinct, non-default numbers, and an input just on
// each side of them; the late-fill guard's max, grace and p99 arguments in their places (swapping any two
// breaks a case here); the grace is not granted twice within its window.
import assert from "node:assert/strict";
import { GatesSection } from "../../src/config/sections/gates.ts";
import { advTier, type EntryInputs, evaluateEntryGates, p80 } from "../../src/gates/mod.ts";
import { REGIMES } from "../../src/regime/types.ts";

const AS_OF = Date.UTC(2026, 0, 1, 12);

/** Distinct thresholds per regime (none is a default, none equals another regime's). */
const LIQ = {
  trending: { spread_bps_max: 21, depth_usd_min: 210_000, vadr_min: 1.21 },
  choppy: { spread_bps_max: 22, depth_usd_min: 220_000, vadr_min: 1.22 },
  highvol: { spread_bps_max: 23, depth_usd_min: 230_000, vadr_min: 1.23 },
  mixed: { spread_bps_max: 24, depth_usd_min: 240_000, vadr_min: 1.24 },
};
const MOVE = { trending: 3.1, choppy: 3.2, highvol: 3.3, mixed: 3.4 };
const cfg = GatesSection.parse({
  liquidity: LIQ,
  move_24h_pct: MOVE,
  late_fill_max_s: 17,
  late_fill_grace_s: 5,
  late_fill_p99_ms: 300,
});

function inputs(o: { spread: number; depth: number; vadr: number; r24h: number }): EntryInputs {
  return {
    symbol: "BTC/USD",
    venue: "kraken",
    quote: "USD",
    score: 90,
    barsOld: 0,
    lastMove: 0,
    atr: 1,
    r24h: o.r24h,
    rsi4h: 50,
    accel4h: 0,
    delayS: 0,
    notional24h: 1e9,
    adx: 30,
    hurst: 0.6,
    vadr: { value: o.vadr, bars: 24 },
    book: {
      ts: AS_OF,
      venue: "kraken",
      symbol: "BTC/USD",
      spread_bps: o.spread,
      depth_usd_2pct: { bid: o.depth / 2, ask: o.depth / 2 },
      verified: true,
    },
  };
}

const gate = (inp: EntryInputs, regime: (typeof REGIMES)[number], name: string) =>
  evaluateEntryGates(inp, cfg, regime, AS_OF).find((g) => g.name === name)!;

for (const regime of REGIMES) {
  Deno.test(`thresholds reach the gates in regime ${regime}: spread, depth, VADR, 24h move`, () => {
    const t = LIQ[regime];
    const at = inputs({
      spread: t.spread_bps_max,
      depth: t.depth_usd_min,
      vadr: t.vadr_min,
      r24h: MOVE[regime],
    });
    for (const name of ["spread", "depth", "vadr", "move_24h"]) {
      assert.equal(gate(at, regime, name).status, "pass", `${regime} ${name} at its threshold (inclusive)`);
    }
    assert.equal(gate(at, regime, "spread").threshold, t.spread_bps_max);
    assert.equal(gate(at, regime, "depth").threshold, t.depth_usd_min);
    assert.equal(gate(at, regime, "vadr").threshold, t.vadr_min);
    assert.equal(gate(at, regime, "move_24h").threshold, MOVE[regime]);
    // Just beyond each (0.005 is below every gap between two regimes' numbers): fails.
    const beyond = inputs({
      spread: t.spread_bps_max + 0.005,
      depth: t.depth_usd_min - 0.5,
      vadr: t.vadr_min - 0.005,
      r24h: MOVE[regime] - 0.005,
    });
    for (const name of ["spread", "depth", "vadr", "move_24h"]) {
      assert.equal(gate(beyond, regime, name).status, "fail", `${regime} ${name} just beyond its threshold`);
    }
  });
}

Deno.test("late fill: max 17 s, grace 5 s, p99 300 ms each reach the guard in their place", () => {
  const lf = (delayS: number, orderP99Ms?: number, graceUsed?: boolean) =>
    evaluateEntryGates(
      { ...inputs({ spread: 1, depth: 1e9, vadr: 9, r24h: 9 }), delayS, orderP99Ms, graceUsed },
      cfg,
      "trending",
      AS_OF,
    ).find((g) => g.name === "late_fill")!;
  assert.equal(lf(17).pass, true); // max inclusive (swapped max/grace: 5 → fails)
  assert.equal(lf(17.5).pass, false); // no p99 known: no grace
  assert.equal(lf(22, 301).pass, true); // p99 above 300 ms: +5 s grace
  assert.equal(lf(22, 301).threshold, 22);
  assert.equal(lf(22.5, 301).pass, false); // grace is 5, not 17 (swapped: 34 would pass)
  assert.equal(lf(22, 300).pass, false); // p99 must be ABOVE 300 (swapped p99/grace: 5 → passes)
  assert.equal(lf(22, 301, true).pass, false); // grace already used in the last 30 min
});

Deno.test("ADV tiers and the VADR 24h p80 floor: the stricter threshold reaches the gate, and says where from", () => {
  const base = inputs({ spread: 24, depth: 240_000, vadr: 1.5, r24h: 9 });
  // No tier, no floor: the regime's (mixed: 24 bps, 240k, 1.24).
  assert.equal(gate(base, "mixed", "vadr").threshold, 1.24);
  // ≥ $5M tier: spread 24 vs 25 → 24 (regime stricter); depth 240k vs 150k → 240k; VADR 1.24 vs 1.85 → 1.85.
  const big = { ...base, advTier: advTier(6_000_000) };
  assert.equal(gate(big, "mixed", "spread").threshold, 24);
  assert.equal(gate(big, "mixed", "depth").threshold, 240_000);
  assert.equal(gate(big, "mixed", "vadr").threshold, 1.85);
  assert.match(gate(big, "mixed", "vadr").reason, /adv≥\$5M/);
  // $1–5M tier with a regime whose spread cap is wider than the tier's (trending 21 < 50: regime stricter).
  assert.equal(gate({ ...base, advTier: advTier(2_000_000) }, "trending", "vadr").threshold, 1.8);
  // The 24h p80 floor above both.
  const floor = { ...big, vadrP80: 2.5 };
  assert.equal(gate(floor, "mixed", "vadr").threshold, 2.5);
  assert.match(gate(floor, "mixed", "vadr").reason, /p80 of the last 24h/);
  assert.equal(advTier(99_999), null);
  assert.equal(p80([1, 2, 3, 4, 5]), 4.2);
  assert.equal(p80([null, 3]), 3);
});
