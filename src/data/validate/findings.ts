/**
 * Validation findings (issue 17, spec A3.2): what a check found wrong with one row, reported as
 * `{ts, symbol, check, field, value, score}`. Pure types and the check → kind mapping; no I/O.
 */

/** Every check, by name (the `check` label of cryptorun_data_consistency_errors_total). */
export const CHECKS = {
  /** A required field is missing or a price/volume is not a finite number. */
  non_finite: "schema",
  /** high < max(open, close). */
  high_below_body: "schema",
  /** low > min(open, close). */
  low_above_body: "schema",
  /** volume < 0. */
  negative_volume: "schema",
  /** The bar's ts is later than now + validate.max_skew_s. */
  future_ts: "staleness",
  /** Exchange ts vs receive time differ by more than validate.max_skew_s (live rows only). */
  skew: "staleness",
  /** ts earlier than the previous row of the same symbol (input order). */
  out_of_order: "staleness",
  /** Price (close, and high/low) far from the trailing median: robust z-score > validate.mad_z. */
  price_mad: "anomaly",
  /** Volume far from the trailing median (log scale): robust z-score > validate.mad_z. */
  volume_mad: "anomaly",
  /** Bars missing in a series (reported by `cold validate`, nothing to quarantine). */
  gap: "gap",
} as const;

export type CheckName = keyof typeof CHECKS;
/** The `kind` label of cryptorun_anomaly_quarantine_total. */
export type FindingKind = typeof CHECKS[CheckName];

export interface Finding {
  /** The bar's ts (epoch ms; for a gap: the first missing bar). */
  ts: number;
  symbol: string;
  check: CheckName;
  /** The field the check looked at (close, volume, high, ts, …). */
  field: string;
  /** The offending value (a gap: how many bars are missing); null when absent or not a number. */
  value: number | null;
  /** The robust z-score (anomalies), else null. */
  score: number | null;
}

export const kindOf = (c: CheckName): FindingKind => CHECKS[c];

/** Checks whose rows are quarantined (every check but gap: a missing bar has no row). */
export const quarantinable = (c: CheckName): boolean => c !== "gap";

/** Findings of one row merged into the quarantine's `check` (comma-separated) and `score` (the largest |z|). */
export function mergeFindings(fs: readonly Finding[]): { check: string; score: number | null } {
  const checks = [...new Set(fs.map((f) => f.check))];
  let score: number | null = null;
  for (const f of fs) {
    if (f.score !== null && (score === null || Math.abs(f.score) > Math.abs(score))) score = f.score;
  }
  return { check: checks.join(","), score };
}
