import type { RowInput, TableRow } from "../cold/batch.ts";
import { DERIVS_COLUMNS, type DerivsRow, type QuarantinedDerivs } from "../../market/derivs.ts";

/**
 * Normalised derivatives rows ↔ rows of the cold table `derivs` (src/data/cold/schemas/derivs.ts): null is
 * null on the way in; on the way out the table's NaN / "" nulls become null again.
 */

export function toTableRow(r: DerivsRow): RowInput {
  const out: RowInput = {};
  for (const c of DERIVS_COLUMNS) out[c] = r[c];
  return out;
}

/** A quarantine row of `quarantine/derivs`: the row, the check and when it was flagged. */
export function toQuarantineRow(q: QuarantinedDerivs, detectedAt: number): RowInput {
  return { ...toTableRow(q.row), check: `${q.check}: ${q.reason}`, score: null, detected_at: detectedAt };
}

const num = (v: number | string | undefined): number | null =>
  typeof v === "number" && Number.isFinite(v) ? v : null;
const str = (v: number | string | undefined): string | null => typeof v === "string" && v !== "" ? v : null;

export function fromTableRow(t: TableRow): DerivsRow {
  return {
    ts: t.ts as number,
    symbol: t.symbol as string,
    venue: t.venue as string,
    source: (t.source as string) ?? "",
    record: t.record as DerivsRow["record"],
    contract: t.contract as string,
    expiry: num(t.expiry),
    funding_rate_relative: num(t.funding_rate_relative),
    funding_interval_h: num(t.funding_interval_h),
    funding_rate_annualized: num(t.funding_rate_annualized),
    open_interest: num(t.open_interest),
    open_interest_unit: str(t.open_interest_unit) as DerivsRow["open_interest_unit"],
    mark_price: num(t.mark_price),
    index_price: num(t.index_price),
    basis: num(t.basis),
    basis_annualized: num(t.basis_annualized),
  };
}
