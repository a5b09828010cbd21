import { anomalyQuarantine, dataConsistencyErrors } from "../../metrics/metrics.ts";
import { type CheckName, CHECKS, type Finding, kindOf } from "./findings.ts";

/**
 * Counts findings in cryptorun_data_consistency_errors_total{check} and quarantined rows in
 * cryptorun_anomaly_quarantine_total{kind} (spec A3.3). Label values are the fixed check/kind names.
 */
export function countFindings(fs: readonly Finding[]): void {
  for (const f of fs) dataConsistencyErrors.inc({ check: f.check });
}

/** One quarantined row: counted once per kind among its findings. */
export function countQuarantined(fs: readonly Finding[]): void {
  for (const kind of new Set(fs.map((f) => kindOf(f.check)))) anomalyQuarantine.inc({ kind });
}

/** Starts every series at 0 (dashboards see the check before its first failure). */
export function zeroValidationMetrics(): void {
  for (const c of Object.keys(CHECKS) as CheckName[]) {
    dataConsistencyErrors.inc({ check: c }, 0);
    if (c !== "gap") anomalyQuarantine.inc({ kind: kindOf(c) }, 0);
  }
}
