import type { DerivsRow, QuarantinedDerivs } from "./derivs.ts";
import { isoMs } from "../util/time.ts";

/**
 * Derivatives arithmetic, pure (no I/O): the conventions every provider shares (docs/DERIVATIVES.md).
 */

export const HOURS_PER_YEAR = 24 * 365;

/**
 * Relative funding from an absolute one (quote currency per contract, Kraken Futures' REST `fundingRate`):
 * ÷ mark price (ccxt's convention; some divide by the index price — the mark is what the contract is valued
 * at). NaN when the mark is not a positive finite number.
 */
export function relativeFunding(absolute: number, markPrice: number): number {
  if (!(markPrice > 0) || !Number.isFinite(markPrice) || !Number.isFinite(absolute)) return NaN;
  return absolute / markPrice;
}

/**
 * Relative funding of an INVERSE contract (1 USD each, funding paid in the base coin: Kraken's PI_): the
 * absolute rate is base coin per contract, so relative = absolute × mark price.
 */
export function inverseRelativeFunding(absolute: number, markPrice: number): number {
  if (!(markPrice > 0) || !Number.isFinite(markPrice) || !Number.isFinite(absolute)) return NaN;
  return absolute * markPrice;
}

/** Annualised funding: the per-interval relative rate × the intervals in a year (24 × 365 ÷ hours). */
export function annualizeFunding(relativePerInterval: number, intervalH: number): number {
  if (!(intervalH > 0)) return NaN;
  return relativePerInterval * (HOURS_PER_YEAR / intervalH);
}

/** Basis (futures − spot) ÷ spot; NaN without a positive spot. */
export function basisOf(futures: number, spot: number): number {
  if (!(spot > 0) || !Number.isFinite(futures)) return NaN;
  return (futures - spot) / spot;
}

/**
 * Basis annualised over its tenor (days to expiry): basis × 365 ÷ days. null for a perpetual (no tenor) or a
 * tenor that is not positive.
 */
export function annualizeBasis(basis: number, tenorDays: number | null): number | null {
  if (tenorDays === null || !(tenorDays > 0) || !Number.isFinite(basis)) return null;
  return basis * (365 / tenorDays);
}

/** Funding per hour (the unit rates are compared in across venues). */
export function fundingPerHour(
  r: Pick<DerivsRow, "funding_rate_relative" | "funding_interval_h">,
): number | null {
  if (r.funding_rate_relative === null || r.funding_interval_h === null || !(r.funding_interval_h > 0)) {
    return null;
  }
  return r.funding_rate_relative / r.funding_interval_h;
}

export interface DerivsLimits {
  /** |relative funding per hour| above this is quarantined (default 0.01 = 1 %/h; venues cap far lower). */
  maxAbsFundingPerHour: number;
  /** |basis| above this is quarantined (default 0.5 = 50 %). */
  maxAbsBasis: number;
}

export const DEFAULT_LIMITS: DerivsLimits = { maxAbsFundingPerHour: 0.01, maxAbsBasis: 0.5 };

/**
 * Screens one normalised row: a non-finite number becomes a clear quarantine (never a NaN in a score), an
 * implausible funding rate or basis is quarantined with the numbers. Returns null when the row is fine.
 */
export function screenRow(row: DerivsRow, limits: DerivsLimits = DEFAULT_LIMITS): QuarantinedDerivs | null {
  const numeric = [
    "funding_rate_relative",
    "funding_interval_h",
    "funding_rate_annualized",
    "open_interest",
    "mark_price",
    "index_price",
    "basis",
    "basis_annualized",
  ] as const;
  for (const k of numeric) {
    const v = row[k];
    if (v !== null && !Number.isFinite(v)) {
      return { row, check: "not_finite", reason: `${k}: not a finite number (${v})` };
    }
  }
  for (const k of ["mark_price", "index_price"] as const) {
    const v = row[k];
    if (v !== null && !(v > 0)) return { row, check: "bad_price", reason: `${k}: ${v} is not positive` };
  }
  if (row.open_interest !== null && row.open_interest < 0) {
    return { row, check: "bad_open_interest", reason: `open_interest: ${row.open_interest} is negative` };
  }
  // A dated future at or past its expiry has no tenor left (a venue may still list it for minutes): its
  // rows are not stored (the cold table refuses them too).
  if (row.expiry !== null && row.expiry <= row.ts) {
    return {
      row,
      check: "expired_contract",
      reason: `${row.contract}: expiry ${isoMs(row.expiry)} is not after ts ${isoMs(row.ts)}`,
    };
  }
  const perHour = fundingPerHour(row);
  if (perHour !== null && Math.abs(perHour) > limits.maxAbsFundingPerHour) {
    return {
      row,
      check: "funding_out_of_range",
      reason: `funding ${(perHour * 100).toPrecision(3)}%/h exceeds ±${
        limits.maxAbsFundingPerHour * 100
      }%/h (derivs.max_abs_funding_per_hour)`,
    };
  }
  if (row.basis !== null && Math.abs(row.basis) > limits.maxAbsBasis) {
    return {
      row,
      check: "basis_out_of_range",
      reason: `basis ${(row.basis * 100).toPrecision(3)}% exceeds ±${
        limits.maxAbsBasis * 100
      }% (derivs.max_abs_basis)`,
    };
  }
  return null;
}

/** NaN → null (the row type's "unknown"). */
export const orNull = (x: number): number | null => Number.isFinite(x) ? x : null;
