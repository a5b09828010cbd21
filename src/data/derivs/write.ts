import type { DerivsParse } from "../../market/derivs.ts";
import { quarantineName } from "../cold/schemas/quarantine.ts";
import type { ColdTables } from "../cold/store.ts";
import type { WriteResult } from "../cold/types.ts";
import { toQuarantineRow, toTableRow } from "./rows.ts";

export const DERIVS_TABLE = "derivs";

export interface DerivsWriteResult {
  rows: WriteResult | null;
  quarantined: WriteResult | null;
}

/**
 * Stores a parse through the cold write path: its quarantined values into `quarantine/derivs` first, then its
 * rows into `derivs` — each one atomic commit under the table's writer lock (re-running the same input
 * writes nothing new: identical rows count as already stored).
 */
export async function writeDerivs(
  tables: ColdTables,
  p: DerivsParse,
  o: { now: number; signal?: AbortSignal; waitMs?: number; command?: string },
): Promise<DerivsWriteResult> {
  const opts = { signal: o.signal, waitMs: o.waitMs, command: o.command ?? "cryptorun ingest" };
  const quarantined = p.quarantined.length
    ? await tables.table(quarantineName(DERIVS_TABLE)).write(
      p.quarantined.map((q) => toQuarantineRow(q, o.now)),
      opts,
    )
    : null;
  const rows = p.rows.length ? await tables.table(DERIVS_TABLE).write(p.rows.map(toTableRow), opts) : null;
  return { rows, quarantined };
}
