import { anomalyQuarantine, dataConsistencyErrors } from "../../metrics/metrics.ts";
import { type CheckName, CHECKS, type Finding, kindOf } from "./findings.ts";

/**
 * Counts findings in cryptorun_data_consistency_errors_total{check} and quarantined rows in
 * cryptorun_anomaly_quarantine_total{kind} (spec A3.3). Label values are the fixed check/kind names.
 */
export function countFindings(fs: readonly Finding[]): void {
  for (const f of fs) dataConsistencyErrors.inc({ check: f.check });
}

/** Quarantined rows: each counted once per kind among its findings. */
export function countQuarantined(fs: readonly Finding[]): void {
  const seen = new Set<string>();
  for (const f of fs) {
    const k = `${f.ts}|${f.symbol}|${kindOf(f.check)}`;
    if (seen.has(k)) continue;
    seen.add(k);
    anomalyQuarantine.inc({ kind: kindOf(f.check) });
  }
}

/** Starts every series at 0 (dashboards see the check before its first failure). */
export function zeroValidationMetrics(): void {
  for (const c of Object.keys(CHECKS) as CheckName[]) {
    dataConsistencyErrors.inc({ check: c }, 0);
    if (c !== "gap") anomalyQuarantine.inc({ kind: kindOf(c) }, 0);
  }
}
