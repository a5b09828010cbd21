import type { GatesConfig } from "../config/sections/gates.ts";
import type { RegimeConfig } from "../config/sections/regime.ts";
import { type Bars, closedCount, HOUR } from "../factors/bars.ts";
import { composite, type CompositeResult, FACTOR_ORDER, type FactorName } from "../factors/composite.ts";
import { gramSchmidt } from "../factors/gram_schmidt.ts";
import { adx, atr, barsInWindow, hurst, notionalVolume, rsi4h } from "../factors/indicators.ts";
import { momentumCore } from "../factors/momentum.ts";
import { qualityRaw, technicalRaw, volumeRaw } from "../factors/residuals.ts";
import { accel4h, type HorizonReturns, horizonReturns } from "../factors/returns.ts";
import { vadr, vadrStability } from "../factors/vadr.ts";
import { type DerivsFeatures, fundingDivergence } from "../factors/derivs.ts";
import { augmentVolume, type OnchainVolume } from "../factors/onchain_volume.ts";
import {
  advTier,
  allRequiredPassed,
  type BookSnapshot,
  evaluateEntryGates,
  type GateResult,
} from "../gates/mod.ts";
import { gateA, gateB, gateC, volumeP80, vwap24h } from "../premove/gates.ts";
import { type PremoveVerdict, premoveVerdict } from "../premove/score.ts";
import { regimeBoundary } from "../regime/cadence.ts";
import { detectRegime, type RegimeDecision } from "../regime/detect.ts";
import { regimeInputs } from "../regime/inputs.ts";
import type { Regime, RegimeInputs } from "../regime/types.ts";
import { regimeWeights } from "../regime/weights.ts";
import type { FactorWeights } from "../factors/composite.ts";

/** One symbol's hourly bars from one venue (never blended across venues). */
export interface SymbolSeries {
  symbol: string;
  venue: string;
  quote: string;
  bars: Bars;
}

/** Where one feed of a row came from (the data door's answer, src/data/door/door.ts), for the output. */
export interface FeedInfo {
  served_by: { tier: string; source: string } | null;
  /** The read's end − the newest row served (null: nothing served). */
  age_ms: number | null;
  stale: boolean;
  chain: string[];
}

/** A row's feeds by name (`bars`, `book`). */
export type RowFeeds = Record<string, FeedInfo>;

export interface ScanInput {
  /** The as-of time (epoch ms): only bars closed by then are used. */
  asOf: number;
  series: SymbolSeries[];
  /** Verified book snapshots by `${venue}|${symbol}` (latest with ts ≤ asOf). */
  books?: Map<string, BookSnapshot>;
  /**
   * Per `${venue}|${symbol}`, where each feed came from and how old it is. Worst feed wins: the freshness guard
   * sees the oldest of the signal bar's age and every other feed's `age_ms`.
   */
  feeds?: Map<string, RowFeeds>;
  /** Social input points by symbol (0..10 scale); absent → 0 for everyone. */
  social?: Map<string, number>;
  /** When the decision is taken (late-fill guard); default asOf (a replay decides at the as-of time). */
  decisionTs?: number;
  /**
   * Derivatives features by symbol (src/factors/derivs.ts), one per derivatives venue in `derivs.scan_venues`
   * order, as of `asOf`. Those no older than `derivsMaxAgeMs` feed the funding gate, premove gate A and ΔOI
   * in the volume factor; older ones are only shown. Absent → spot-only, exactly the scan without them.
   */
  derivs?: Map<string, DerivsFeatures[]>;
  /** Default 2 h (DOMAIN: derivatives data ≤ 2 h old). */
  derivsMaxAgeMs?: number;
  /**
   * On-chain (DEX) volume by symbol (src/factors/onchain_volume.ts: robust, shifted, already null-filtered): it
   * moves that symbol's volume input by at most ±10 %. Absent → the scan without it.
   */
  onchainVolume?: Map<string, OnchainVolume>;
  /** The order stage's p99 latency (ms), when an order stage reports one (late-fill grace). */
  orderP99Ms?: number;
  /**
   * When each `${venue}|${symbol}` last used its late-fill grace (epoch ms). Within GRACE_WINDOW_MS before
   * the decision it is not granted again; rows that use it now say so (`late_fill_grace_used`).
   */
  graceUsedAt?: ReadonlyMap<string, number>;
  gates: GatesConfig;
  regime: RegimeConfig;
}

export interface ScanRow {
  rank: number;
  symbol: string;
  venue: string;
  quote: string;
  score: number;
  contributions: CompositeResult["contributions"];
  points: CompositeResult["points"];
  steps: CompositeResult["steps"];
  /** Raw inputs and orthogonalised values (for --explain). */
  factors: {
    raw: Record<FactorName, number>;
    orthogonal: Record<FactorName, number>;
    returns_pct: { r1h: number; r4h: number; r12h: number; r24h: number; r7d: number };
    accel4h: number;
    rsi4h: number;
    adx: number;
    hurst: number;
    atr: number;
    vadr: number | null;
    notional_24h: number;
    last_bar_ts: number;
  };
  gates: GateResult[];
  /** This decision passed the late-fill guard only thanks to its grace (the ledger records it). */
  late_fill_grace_used?: boolean;
  passed: boolean;
  premove: PremoveVerdict;
  /**
   * The oldest feed of this result (worst feed wins), its age in ms at as-of, and whether that is within
   * gates.freshness_max_bars.
   */
  oldest_feed: { feed: string; age_ms: number; fresh: boolean };
  /** Where its feeds came from (absent when the caller gave none). */
  data?: RowFeeds;
  /** Derivatives inputs per venue, and whether each fed the gates/factors (fresh) or was only shown. */
  derivs?: { features: DerivsFeatures; used: boolean }[];
  /** The on-chain volume augment used, with the volume input before and after it. */
  onchain_volume?: { feature: OnchainVolume; before: number; after: number };
}

export interface ScanOutput {
  asOf: number;
  regime: {
    name: Regime;
    /** The 4h boundary the regime was decided at. */
    boundary: number;
    inputs: RegimeInputs;
    decision: RegimeDecision;
    weights: FactorWeights;
  };
  results: ScanRow[];
  skipped: { symbol: string; venue: string; reason: string }[];
}

/** The late-fill grace is granted once per asset per 30 min (DOMAIN.md §3). */
export const GRACE_WINDOW_MS = 30 * 60_000;

/** Whether a grace used at `lastUse` still blocks a new one at `decisionTs`. */
export function graceUsedWithin(lastUse: number | undefined, decisionTs: number): boolean {
  return lastUse !== undefined && decisionTs - lastUse >= 0 && decisionTs - lastUse < GRACE_WINDOW_MS;
}

/** A late-fill pass that needed the grace: delay beyond late_fill_max_s but within the granted limit. */
function lateFillGraceUsed(gates: GateResult[], delayS: number, maxS: number): boolean {
  const g = gates.find((x) => x.name === "late_fill");
  return g !== undefined && g.pass && delayS > maxS;
}

/** Regime in force at `asOf`: decided at the latest 4h UTC boundary ≤ asOf from bars closed by then. */
export function regimeAt(
  series: SymbolSeries[],
  asOf: number,
  cfg: RegimeConfig,
): ScanOutput["regime"] {
  const boundary = regimeBoundary(asOf);
  const inputs = regimeInputs(series.map((s) => s.bars), boundary);
  const decision = detectRegime(inputs, cfg);
  return { name: decision.regime, boundary, inputs, decision, weights: regimeWeights(decision.regime) };
}

/**
 * The scan, pure: bars in, ranked and explained rows out. Point in time by construction — every series is cut
 * at the bars closed by `asOf` and every feature reads only bars before that cut — so adding bars after
 * `asOf` cannot change the output.
 */
export function runScan(inp: ScanInput): ScanOutput {
  const ranked = rankScan(inp);
  const results: ScanRow[] = new Array(ranked.count);
  for (let k = 0; k < ranked.count; k++) results[k] = ranked.row(k);
  return { asOf: ranked.asOf, regime: ranked.regime, results, skipped: ranked.skipped };
}

/** A scan ranked, its rows explained on demand (`row(k)`: the row of rank k + 1, built once). */
export interface RankedScan {
  asOf: number;
  regime: ScanOutput["regime"];
  skipped: ScanOutput["skipped"];
  /** Rows ranked. */
  count: number;
  /** The row of rank k + 1 (0 ≤ k < count): gates, premove and the features only they use, computed now. */
  row(k: number): ScanRow;
}

/**
 * The scan up to its ranking: every candidate's factors, Gram–Schmidt and composite score — what the rank
 * depends on — and nothing of what only explains a row (ATR, VADR and its stability, the 11 gates with
 * their reasons, premove). A caller that reads the best rows only (a backtest's step: the top N, or the
 * best N that pass) asks for those; `runScan` asks for all. A row is the same whichever rows were asked
 * before it (the rolling memos give the same values in any order: tests/factors/rolling_memo_test.ts).
 */
export function rankScan(inp: ScanInput): RankedScan {
  const { asOf } = inp;
  const regime = regimeAt(inp.series, asOf, inp.regime);
  const skipped: ScanOutput["skipped"] = [];
  // The quality factor never reads a book stamped after the as-of time (the liquidity gates refuse one
  // themselves, with the reason): the scan stays point in time whatever the caller passes in `books`.
  const bookOf = (s: SymbolSeries) => {
    const book = inp.books?.get(`${s.venue}|${s.symbol}`);
    return book && book.ts <= asOf ? book : undefined;
  };
  const NONE: DerivsFeatures[] = [];
  // Candidates' features in typed columns (candidate i = the i-th series not skipped); row objects are made
  // once, for the output.
  const cap = inp.series.length;
  const picked: SymbolSeries[] = [];
  const ends = new Int32Array(cap);
  const horizons: HorizonReturns[] = [];
  const accel = new Float64Array(cap);
  const rsi = new Float64Array(cap);
  const adxs = new Float64Array(cap);
  const hursts = new Float64Array(cap);
  const notional24h = new Float64Array(cap);
  const notional7d = new Float64Array(cap);
  const raw = FACTOR_ORDER.map(() => new Float64Array(cap));
  const [rawMomentum, rawTechnical, rawVolume, rawQuality, rawSocial] = raw;
  const derivsMaxAge = inp.derivsMaxAgeMs ?? 2 * HOUR;
  const freshDerivs: DerivsFeatures[][] = [];
  const onchainBefore: (number | undefined)[] = [];
  for (const s of inp.series) {
    const end = closedCount(s.bars.ts, asOf);
    if (end < 2) {
      skipped.push({
        symbol: s.symbol,
        venue: s.venue,
        reason: end === 0 ? "no bar closed at or before the as-of time" : "only 1 closed bar (need ≥2)",
      });
      continue;
    }
    const b = s.bars;
    const returns = horizonReturns(b, end);
    const acc = accel4h(b, end);
    const core = momentumCore(returns, regime.name, acc);
    if (!Number.isFinite(core)) {
      skipped.push({
        symbol: s.symbol,
        venue: s.venue,
        reason: "no momentum horizon computable (gap too long)",
      });
      continue;
    }
    const i = picked.length;
    picked.push(s);
    horizons.push(returns);
    ends[i] = end;
    accel[i] = acc;
    const r = rsi[i] = rsi4h(b, end, asOf);
    const a = adxs[i] = adx(b, end);
    const h = hursts[i] = hurst(b, end);
    const n24 = notional24h[i] = notionalVolume(b, end, 24);
    rawMomentum[i] = core;
    rawTechnical[i] = technicalRaw(r, a, h);
    const all = inp.derivs?.get(s.symbol);
    const fresh = all === undefined ? NONE : all.filter((f) => f.age_ms >= 0 && f.age_ms <= derivsMaxAge);
    freshDerivs.push(fresh);
    // DOMAIN.md §1: Volume = 0.7·surge + 0.3·ΔOI, where a fresh ΔOI is known; the surge alone otherwise.
    const dOi = fresh.find((f) => Number.isFinite(f.oi_change_1h))?.oi_change_1h ?? null;
    const n7d = notional7d[i] = notionalVolume(b, end, 168);
    const surge = volumeRaw(n24, n7d);
    rawVolume[i] = dOi === null ? surge : 0.7 * surge + 0.3 * dOi;
    const onchain = inp.onchainVolume?.get(s.symbol);
    if (onchain) {
      onchainBefore[i] = rawVolume[i];
      rawVolume[i] = augmentVolume(rawVolume[i], onchain);
    }
    rawQuality[i] = qualityRaw(barsInWindow(b, end, 168), inp.books === undefined ? undefined : bookOf(s));
    rawSocial[i] = inp.social?.get(s.symbol) ?? 0;
  }

  const count = picked.length;
  const ortho = gramSchmidt(FACTOR_ORDER.map((f, k) => ({ name: f, values: raw[k].subarray(0, count) })));
  const [oMomentum, oTechnical, oVolume, oQuality, oSocial] = ortho.map((c) => c.values);
  const weights = regime.weights;
  const decisionTs = inp.decisionTs ?? asOf;
  // The rank: composite scores of every candidate, then (score desc, symbol, venue).
  const comps = new Array<ReturnType<typeof composite>>(count);
  for (let i = 0; i < count; i++) {
    comps[i] = composite({
      momentum: oMomentum[i],
      technical: oTechnical[i],
      volume: oVolume[i],
      quality: oQuality[i],
      social: oSocial[i],
    }, weights);
  }
  const order = Array.from({ length: count }, (_, i) => i);
  order.sort((x, y) => {
    const a = picked[x], b = picked[y];
    return comps[y].score - comps[x].score || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0) ||
      (a.venue < b.venue ? -1 : 1);
  });
  const built: (ScanRow | undefined)[] = new Array(count);
  const row = (k: number): ScanRow => {
    if (!(k >= 0 && k < count)) throw new RangeError(`row: rank index ${k} outside 0..${count - 1}`);
    return built[k] ??= explain(order[k], k + 1);
  };
  const explain = (i: number, rank: number): ScanRow => {
    const s = picked[i];
    const returns = horizons[i];
    // Keys in FACTOR_ORDER.
    const values: Record<FactorName, number> = {
      momentum: oMomentum[i],
      technical: oTechnical[i],
      volume: oVolume[i],
      quality: oQuality[i],
      social: oSocial[i],
    };
    const comp = comps[i];
    const b = s.bars;
    const end = ends[i];
    // What only the gates and the row's explanation use (not the rank).
    const atrI = atr(b, end);
    const vadrI = vadr(b, end, inp.gates.vadr_min_bars);
    // VADR stability: the p80 of the 24 hourly VADR values before this one (DOMAIN.md §3, MS/vadr.go).
    const vadrP80 = vadrStability(b, end, inp.gates.vadr_min_bars);
    const last = end - 1;
    const closeTs = b.ts[last] + HOUR;
    const key = inp.books || inp.feeds || inp.graceUsedAt ? `${s.venue}|${s.symbol}` : "";
    const book = inp.books?.get(key); // the gates refuse it when after as-of / stale
    const feeds = inp.feeds?.get(key);
    let oldest = { feed: "bars", age_ms: asOf - closeTs };
    if (feeds !== undefined) {
      for (const [feed, f] of Object.entries(feeds)) {
        if (feed !== "bars" && f.age_ms !== null && f.age_ms > oldest.age_ms) {
          oldest = { feed, age_ms: f.age_ms };
        }
      }
    }
    const funding = fundingDivergence(freshDerivs[i]);
    const gates = evaluateEntryGates(
      {
        symbol: s.symbol,
        venue: s.venue,
        quote: s.quote,
        score: comp.score,
        barsOld: oldest.age_ms / HOUR,
        oldestFeed: oldest.feed,
        lastMove: Math.abs(b.close[last] - b.close[last - 1]),
        atr: atrI,
        r24h: returns[3],
        rsi4h: rsi[i],
        accel4h: accel[i],
        delayS: (decisionTs - closeTs) / 1000,
        orderP99Ms: inp.orderP99Ms,
        graceUsed: graceUsedWithin(inp.graceUsedAt?.get(key), decisionTs),
        notional24h: notional24h[i],
        adx: adxs[i],
        hurst: hursts[i],
        vadr: vadrI,
        vadrP80,
        advTier: advTier(notional7d[i] / 7),
        book,
        funding,
      },
      inp.gates,
      regime.name,
      asOf,
    );
    const pm = {
      fundingZ: funding?.z,
      spot: b.close[last],
      vwap24h: vwap24h(b, end),
      confirmVolume: b.volume[last],
      confirmP80: volumeP80(b, end),
    };
    const premove = premoveVerdict(gateA(pm), gateB(pm), gateC(pm), regime.name === "mixed");
    return {
      rank,
      symbol: s.symbol,
      venue: s.venue,
      quote: s.quote,
      score: comp.score,
      contributions: comp.contributions,
      points: comp.points,
      steps: comp.steps,
      factors: {
        raw: {
          momentum: rawMomentum[i],
          technical: rawTechnical[i],
          volume: rawVolume[i],
          quality: rawQuality[i],
          social: rawSocial[i],
        },
        orthogonal: values,
        returns_pct: {
          r1h: returns[0],
          r4h: returns[1],
          r12h: returns[2],
          r24h: returns[3],
          r7d: returns[4],
        },
        accel4h: accel[i],
        rsi4h: rsi[i],
        adx: adxs[i],
        hurst: hursts[i],
        atr: atrI,
        vadr: vadrI.value,
        notional_24h: notional24h[i],
        last_bar_ts: b.ts[last],
      },
      gates,
      late_fill_grace_used: lateFillGraceUsed(
        gates,
        (decisionTs - closeTs) / 1000,
        inp.gates.late_fill_max_s,
      ),
      passed: allRequiredPassed(gates),
      premove,
      oldest_feed: { ...oldest, fresh: oldest.age_ms <= inp.gates.freshness_max_bars * HOUR },
      ...(feeds ? { data: feeds } : {}),
      ...(inp.derivs?.has(s.symbol)
        ? {
          derivs: inp.derivs.get(s.symbol)!.map((f) => ({ features: f, used: freshDerivs[i].includes(f) })),
        }
        : {}),
      ...(onchainBefore[i] !== undefined
        ? {
          onchain_volume: {
            feature: inp.onchainVolume!.get(s.symbol)!,
            before: onchainBefore[i]!,
            after: rawVolume[i],
          },
        }
        : {}),
    };
  };
  return { asOf, regime, skipped, count, row };
}
