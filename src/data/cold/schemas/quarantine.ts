import type { FieldSpec, TableSchema } from "../schema.ts";

/**
 * Quarantine tables (issue 17): `quarantine/<table>` holds rows of `<table>` that validation flagged — never
 * in the table itself, never dropped — at `<data-dir>/quarantine/<table>/`, in the same layout (snapshots,
 * lock, checksums). Columns: the source table's (every non-key one nullable: a flagged row may lack a value
 * or hold a non-finite one), then `check` (which check(s) flagged it), `score` (e.g. the robust z-score;
 * null when the check has none) and `detected_at` (when it was flagged), then the source's `added_later`
 * columns (still added_later: they follow the source table's schema evolution). Keyed like the source
 * table: a row is quarantined at most once (several findings: one row, `check` lists them).
 */

export const QUARANTINE_PREFIX = "quarantine/";

export const QUARANTINE_FIELDS: FieldSpec[] = [
  { name: "check", type: "string", required: true },
  { name: "score", type: "double", required: false },
  { name: "detected_at", type: "timestamp(ms)", required: true },
];

export function quarantineName(table: string): string {
  return QUARANTINE_PREFIX + table;
}

export function isQuarantineName(name: string): boolean {
  return name.startsWith(QUARANTINE_PREFIX);
}

/** The quarantine schema of a source table. */
export function quarantineSchema(source: TableSchema): TableSchema {
  const names = new Set(source.fields.map((f) => f.name));
  const clash = QUARANTINE_FIELDS.find((f) => names.has(f.name));
  if (clash) throw new Error(`table ${source.table} has a column ${clash.name}: no quarantine table for it`);
  return {
    table: quarantineName(source.table),
    fields: [
      ...source.fields.filter((f) => !f.added_later).map((f) => ({
        ...f,
        required: source.key.includes(f.name),
      })),
      ...QUARANTINE_FIELDS.map((f) => ({ ...f })),
      ...source.fields.filter((f) => f.added_later).map((f) => ({ ...f, required: false })),
    ],
    key: [...source.key],
  };
}
