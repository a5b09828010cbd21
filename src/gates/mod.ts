/**
 * The entry gates and guards (DOMAIN.md §3, docs/SCORING.md § Gates): pure functions, no I/O. This module is
 * the gates' entry point; its import graph holds nothing but these files (the aggregator guard test checks
 * with `deno info --json` that no aggregator module is reachable from here).
 */
import type { GatesConfig } from "../config/sections/gates.ts";
import type { Regime } from "../regime/types.ts";
import { fatigueGate } from "./fatigue.ts";
import { freshnessGate } from "./freshness.ts";
import { fundingGate } from "./funding.ts";
import { lateFillGate } from "./late_fill.ts";
import { type BookSnapshot, depthGate, spreadGate } from "./liquidity.ts";
import { moveGate } from "./move.ts";
import { scoreGate } from "./score.ts";
import { trendGate } from "./trend.ts";
import type { GateResult } from "./types.ts";
import type { AdvTier } from "./adv_tiers.ts";
import { vadrGate } from "./vadr.ts";
import { volumeGate } from "./volume.ts";

export type { GateResult } from "./types.ts";
export type { BookSnapshot } from "./liquidity.ts";
export {
  depthGate,
  fatigueGate,
  freshnessGate,
  fundingGate,
  lateFillGate,
  moveGate,
  scoreGate,
  spreadGate,
  trendGate,
  vadrGate,
  volumeGate,
};
export { fundingZ } from "./funding.ts";
export { advTier, p80 } from "./adv_tiers.ts";

/** Everything the entry gates read for one symbol at one as-of time (all point-in-time). */
export interface EntryInputs {
  symbol: string;
  venue: string;
  quote: string;
  score: number;
  /** Age of the oldest feed in bars (the last closed bar's close, or an older book) at as-of. */
  barsOld: number;
  /** The feed that set `barsOld` (default "bars"). */
  oldestFeed?: string;
  lastMove: number;
  atr: number;
  r24h: number;
  rsi4h: number;
  accel4h: number;
  /** Seconds from the signal bar's close to the decision time. */
  delayS: number;
  orderP99Ms?: number;
  /** Whether this asset already used its late-fill grace in the last 30 min (the scan's grace ledger). */
  graceUsed?: boolean;
  notional24h: number;
  adx: number;
  hurst: number;
  vadr: { value: number | null; bars: number };
  /** VADR stability floor: the p80 of the previous 24 hourly VADR values (null: not enough history). */
  vadrP80?: number | null;
  /** The pair's ADV tier (./adv_tiers.ts); the stricter of its and the regime's thresholds applies. */
  advTier?: AdvTier | null;
  book?: BookSnapshot;
  /** Funding z (PIT) and the widest venue's deviation from the median (null with one venue). */
  funding?: { z: number; maxVenueDev: number | null; venues?: number };
}

/** Runs every entry gate in a fixed order. */
export function evaluateEntryGates(
  inp: EntryInputs,
  cfg: GatesConfig,
  regime: Regime,
  asOf: number,
): GateResult[] {
  const reg = cfg.liquidity[regime];
  const tier = inp.advTier ?? null;
  // The stricter of the regime's and the ADV tier's thresholds; VADR also at least its own 24h p80.
  const liq = tier
    ? {
      spread_bps_max: Math.min(reg.spread_bps_max, tier.spread_bps_max),
      depth_usd_min: Math.max(reg.depth_usd_min, tier.depth_usd_min),
      vadr_min: Math.max(reg.vadr_min, tier.vadr_min),
    }
    : reg;
  const vadrMin = Math.max(liq.vadr_min, inp.vadrP80 ?? -Infinity);
  return [
    scoreGate(inp.score, cfg.min_score),
    freshnessGate(
      { barsOld: inp.barsOld, lastMove: inp.lastMove, atr: inp.atr, feed: inp.oldestFeed },
      cfg.freshness_max_bars,
      cfg.freshness_atr_mult,
    ),
    fatigueGate(
      { r24h: inp.r24h, rsi4h: inp.rsi4h, accel4h: inp.accel4h },
      cfg.fatigue_r24h_pct,
      cfg.fatigue_rsi4h_max,
      cfg.fatigue_accel_pct,
    ),
    lateFillGate(
      { delayS: inp.delayS, orderP99Ms: inp.orderP99Ms, graceUsed: inp.graceUsed },
      cfg.late_fill_max_s,
      cfg.late_fill_grace_s,
      cfg.late_fill_p99_ms,
    ),
    spreadGate(inp.book, asOf, cfg.book_max_age_ms, liq, inp.venue, inp.symbol),
    depthGate(inp.book, asOf, cfg.book_max_age_ms, liq, inp.venue, inp.symbol),
    vadrGate(
      inp.vadr,
      vadrMin,
      cfg.vadr_min_bars,
      vadrMin === reg.vadr_min ? undefined : vadrMin === inp.vadrP80 ? "p80 of the last 24h" : tier?.name,
    ),
    volumeGate(inp.notional24h, cfg.min_daily_volume_usd, inp.quote),
    trendGate(inp.adx, inp.hurst, cfg.adx_min, cfg.hurst_min),
    moveGate(inp.r24h, cfg.move_24h_pct[regime], regime),
    fundingGate(inp.funding),
  ];
}

/** An entry passes when every REQUIRED gate passed (unknown required gates block). */
export function allRequiredPassed(gates: GateResult[]): boolean {
  return gates.every((g) => g.pass || !g.required);
}
