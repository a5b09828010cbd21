import { type DerivsRow, isPerpetual, type OiUnit } from "../market/derivs.ts";
import { fundingZ } from "../gates/funding.ts";
import { fundingPerHour } from "../market/derivs_math.ts";

/**
 * Derivatives features of one symbol on one venue at one as-of time, pure and point in time: only rows with
 * ts ≤ asOf are looked at (the data door already clamps; this guards direct callers), the funding z-score is
 * fundingZ's (shifted one period: the newest period is not used), ΔOI compares the newest OI with the newest
 * one at least an hour older. docs/DERIVATIVES.md § Point in time.
 *
 * Every feature here is the PERPETUAL's (rows with contract `perpetual`): funding, ΔOI and basis of the swap.
 * A dated future's rows (their own contract, with expiry and basis_annualized) are stored and shown by
 * `derivs show` but feed none of these. A funding print and a snapshot of the same ms are two rows: at equal
 * ts the settled `funding` print counts as the newer (it is the value the period settled at).
 */
export interface DerivsFeatures {
  venue: string;
  source: string;
  /** The newest funding/OI row used (epoch ms) and its age at as-of. */
  ts: number;
  age_ms: number;
  funding_relative: number | null;
  funding_interval_h: number | null;
  funding_per_hour: number | null;
  funding_annualized: number | null;
  /** Funding z over `lookback` periods before the newest one (null: too few periods). */
  funding_z: number | null;
  /** Funding periods available (one value per period; the newest is excluded from the z). */
  funding_periods: number;
  open_interest: number | null;
  open_interest_unit: OiUnit | null;
  /** ln(OI now ÷ OI ≥1h before): DOMAIN's ΔOI_1h (null without two snapshots an hour apart). */
  oi_change_1h: number | null;
  basis: number | null;
  basis_annualized: number | null;
  /** When the basis used was known. */
  basis_ts: number | null;
}

const HOUR = 3_600_000;

/** Order of rows of one ms: snapshots and candles first, the settled funding print last (the newer). */
const recordRank = (r: DerivsRow) => r.record === "funding" ? 1 : 0;
const byTime = (a: DerivsRow, b: DerivsRow) => a.ts - b.ts || recordRank(a) - recordRank(b);

/**
 * One value per funding period (the last print of each; at equal ts the funding print), per hour, oldest
 * first, ts ≤ asOf, of the perpetual only.
 */
export function fundingSeries(rows: readonly DerivsRow[], asOf: number): { ts: number; perHour: number }[] {
  const byPeriod = new Map<number, { ts: number; rank: number; perHour: number }>();
  for (const r of rows) {
    if (r.ts > asOf || !isPerpetual(r)) continue;
    const ph = fundingPerHour(r);
    if (ph === null || !Number.isFinite(ph)) continue;
    const period = Math.floor(r.ts / (r.funding_interval_h! * HOUR));
    const cur = byPeriod.get(period);
    const rank = recordRank(r);
    if (!cur || r.ts > cur.ts || (r.ts === cur.ts && rank >= cur.rank)) {
      byPeriod.set(period, { ts: r.ts, rank, perHour: ph });
    }
  }
  return [...byPeriod.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => ({
    ts: v.ts,
    perHour: v.perHour,
  }));
}

export function derivsFeatures(
  rows: readonly DerivsRow[],
  asOf: number,
  lookback = 30,
): DerivsFeatures | null {
  const known = rows.filter((r) => r.ts <= asOf && isPerpetual(r)).sort(byTime);
  const withFunding = known.filter((r) => r.funding_rate_relative !== null);
  const withOi = known.filter((r) => r.open_interest !== null);
  const withBasis = known.filter((r) => r.basis !== null);
  const newest = withFunding.at(-1) ?? withOi.at(-1) ?? withBasis.at(-1);
  if (!newest) return null;
  const f = withFunding.at(-1);
  const series = fundingSeries(known, asOf);
  const z = fundingZ(series.map((s) => s.perHour), lookback);
  const oi = withOi.at(-1);
  let oiChange: number | null = null;
  if (oi) {
    const before = withOi.filter((r) =>
      r.ts <= oi.ts - HOUR && r.open_interest_unit === oi.open_interest_unit
    )
      .at(-1);
    if (before && before.open_interest! > 0 && oi.open_interest! > 0) {
      oiChange = Math.log(oi.open_interest! / before.open_interest!);
    }
  }
  const b = withBasis.at(-1);
  const ts = Math.max(f?.ts ?? -Infinity, oi?.ts ?? -Infinity, b?.ts ?? -Infinity);
  return {
    venue: newest.venue,
    source: (f ?? oi ?? b)!.source,
    ts,
    age_ms: asOf - ts,
    funding_relative: f?.funding_rate_relative ?? null,
    funding_interval_h: f?.funding_interval_h ?? null,
    funding_per_hour: f ? fundingPerHour(f) : null,
    funding_annualized: f?.funding_rate_annualized ?? null,
    funding_z: Number.isFinite(z) ? z : null,
    funding_periods: series.length,
    open_interest: oi?.open_interest ?? null,
    open_interest_unit: oi?.open_interest_unit ?? null,
    oi_change_1h: oiChange,
    basis: b?.basis ?? null,
    basis_annualized: b?.basis_annualized ?? null,
    basis_ts: b?.ts ?? null,
  };
}

/**
 * The funding-divergence gate's input from several venues' features at one as-of: z of the first venue
 * (`scan_venues` order) that has one, and the widest venue's deviation of funding per hour from the median
 * of the venues' (null with fewer than two venues: divergence cannot be measured).
 */
export function fundingDivergence(
  venues: readonly DerivsFeatures[],
): { z: number; maxVenueDev: number | null; venues: number } | undefined {
  const withZ = venues.find((v) => v.funding_z !== null && Number.isFinite(v.funding_z));
  if (!withZ) return undefined;
  const rates = venues.map((v) => v.funding_per_hour).filter((x): x is number =>
    x !== null && Number.isFinite(x)
  ).sort((a, b) => a - b);
  let dev: number | null = null;
  if (rates.length >= 2) {
    const mid = rates.length >> 1;
    const median = rates.length % 2 ? rates[mid] : (rates[mid - 1] + rates[mid]) / 2;
    dev = Math.max(...rates.map((r) => Math.abs(r - median)));
  }
  return { z: withZ.funding_z!, maxVenueDev: dev, venues: rates.length };
}
