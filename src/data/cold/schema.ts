import type { ParquetFieldSpec, ParquetSchemaSpec } from "../../config/sections/cold.ts";
import { ConfigError, InputError, show } from "../../util/errors.ts";
import { OHLCV_COLUMNS } from "./types.ts";

/**
 * Table schemas of the cold tier (pure: no Parquet or Arrow package). A schema is a declared list of fields
 * — `ts` (timestamp(ms), required) and `symbol` (string, required) first — and the key that identifies a
 * row (`ts`, `symbol`[, more]); files are sorted by the key, and a key is stored once.
 */

export type FieldType = ParquetFieldSpec["type"];

export interface FieldSpec {
  name: string;
  type: FieldType;
  required: boolean;
  primary?: boolean;
  index?: boolean;
  /** Appended after files were written: files without it read it as null. */
  added_later?: boolean;
}

export interface TableSchema {
  table: string;
  fields: FieldSpec[];
  /** The columns identifying a row, ts and symbol first. */
  key: string[];
}

/** The default key: one row per (ts, symbol). */
export const DEFAULT_KEY = ["ts", "symbol"];

/** A schema as the legacy `cold.parquet_schema` block spells it (key: ts, symbol). */
export function schemaOfSpec(spec: ParquetSchemaSpec, key: string[] = DEFAULT_KEY): TableSchema {
  return { table: spec.table, fields: spec.fields.map((f) => ({ ...f })), key: [...key] };
}

/** Number columns are Float64Array in batches (timestamps as epoch ms; null = NaN), strings string[] (null = ""). */
export function isNumeric(t: FieldType): boolean {
  return t !== "string";
}

export function fieldOf(schema: TableSchema, name: string): FieldSpec | undefined {
  return schema.fields.find((f) => f.name === name);
}

/** The non-key columns (what "identical row" compares, what a projection may leave out). */
export function valueColumns(schema: TableSchema): string[] {
  return schema.fields.filter((f) => !schema.key.includes(f.name)).map((f) => f.name);
}

/**
 * Checks a declared schema (built-in or from `cold.tables`); `where` names the config key for messages.
 * ts (timestamp(ms), required) and symbol (string, required) come first; names are unique; the key starts
 * with ts, symbol and lists required fields; `added_later` fields are nullable and come last.
 */
export function assertTableSchema(schema: TableSchema, where: string): void {
  const f = schema.fields;
  const bad = (msg: string) => new ConfigError(`${where}: ${msg}`);
  if (f.length < 2 || f[0].name !== "ts" || f[1].name !== "symbol") {
    throw bad(`the first fields must be ts and symbol, found ${f.map((x) => x.name).join(",")}`);
  }
  if (f[0].type !== "timestamp(ms)" || !f[0].required) {
    throw bad(
      `field ts must be a required timestamp(ms), found ${f[0].required ? "" : "optional "}${f[0].type}`,
    );
  }
  if (f[1].type !== "string" || !f[1].required) {
    throw bad(
      `field symbol must be a required string, found ${f[1].required ? "" : "optional "}${f[1].type}`,
    );
  }
  const seen = new Set<string>();
  for (const x of f) {
    if (seen.has(x.name)) throw bad(`field ${x.name} is listed twice`);
    seen.add(x.name);
  }
  const k = schema.key;
  if (k[0] !== "ts" || k[1] !== "symbol") {
    throw bad(`key must start with ts, symbol, found ${k.join(",")}`);
  }
  if (new Set(k).size !== k.length) throw bad(`key lists a column twice: ${k.join(",")}`);
  for (const name of k) {
    const x = fieldOf(schema, name);
    if (!x) throw bad(`key column ${name} is not a field (fields: ${f.map((y) => y.name).join(",")})`);
    if (!x.required) throw bad(`key column ${name} must be required: true`);
  }
  let later = false;
  for (const x of f) {
    if (x.added_later) {
      if (x.required) throw bad(`field ${x.name}: added_later fields must be nullable (required: false)`);
      later = true;
    } else if (later) {
      throw bad(`field ${x.name} comes after an added_later field: added_later fields go at the end`);
    }
  }
}

/**
 * The ohlcv layout: `cold.parquet_schema` must list exactly its fields, names and types, in the spec's
 * order. Anything else is a configuration error (exit 2), caught before any file is touched.
 */
export function assertSupportedSchema(spec: ParquetSchemaSpec): void {
  const want: Record<string, FieldType> = {
    ts: "timestamp(ms)",
    symbol: "string",
    open: "double",
    high: "double",
    low: "double",
    close: "double",
    volume: "double",
  };
  const names = spec.fields.map((f) => f.name);
  if (names.join(",") !== OHLCV_COLUMNS.join(",")) {
    throw new ConfigError(
      `cold.parquet_schema.fields: expected the ohlcv fields ${OHLCV_COLUMNS.join(",")} in this order, ` +
        `found ${names.join(",")}`,
    );
  }
  for (const [i, f] of spec.fields.entries()) {
    if (f.type !== want[f.name]) {
      throw new ConfigError(
        `cold.parquet_schema.fields.${i}.type: field ${f.name} must be ${want[f.name]}, found ${
          show(f.type)
        }`,
      );
    }
  }
  if (!spec.fields[0].required || !spec.fields[1].required) {
    throw new ConfigError(`cold.parquet_schema.fields: ts and symbol must be required: true`);
  }
  if (spec.fields.some((f) => f.added_later)) {
    throw new ConfigError(`cold.parquet_schema.fields: the ohlcv fields are not added_later`);
  }
}

/** True when the schema starts with the ohlcv fields (ohlcv, ohlcv_1m): the `OhlcvRow` facade reads it. */
export function hasOhlcvLayout(schema: TableSchema): boolean {
  return OHLCV_COLUMNS.every((c, i) => schema.fields[i]?.name === c) &&
    schema.fields.slice(2, 7).every((f) => f.type === "double") && schema.key.join(",") === "ts,symbol";
}

/** A Parquet schema element as hyparquet decodes it from the footer. */
export interface FooterSchemaElement {
  name: string;
  type?: string;
  repetition_type?: string;
  converted_type?: string;
  logical_type?: { type: string; unit?: string };
  num_children?: number;
}

/** "INT64 timestamp(MILLIS)", "BYTE_ARRAY string", "DOUBLE" … for error messages. */
export function describeFound(e: FooterSchemaElement): string {
  const lt = e.logical_type
    ? ` ${e.logical_type.type.toLowerCase()}${e.logical_type.unit ? `(${e.logical_type.unit})` : ""}`
    : e.converted_type
    ? ` ${e.converted_type.toLowerCase()}`
    : "";
  return `${e.type ?? "group"}${lt}${e.repetition_type ? ` ${e.repetition_type.toLowerCase()}` : ""}`;
}

function matches(f: FieldSpec, e: FooterSchemaElement): boolean {
  if (f.type === "timestamp(ms)") {
    return e.type === "INT64" &&
      ((e.logical_type?.type === "TIMESTAMP" && e.logical_type.unit === "MILLIS") ||
        e.converted_type === "TIMESTAMP_MILLIS");
  }
  if (f.type === "string") {
    return e.type === "BYTE_ARRAY" && (e.logical_type?.type === "STRING" || e.converted_type === "UTF8");
  }
  if (f.type === "int64") {
    // A plain integer: no logical type, or INTEGER(64, signed) / INT_64.
    return e.type === "INT64" && e.logical_type?.type !== "TIMESTAMP" &&
      e.converted_type !== "TIMESTAMP_MILLIS" &&
      e.converted_type !== "TIMESTAMP_MICROS";
  }
  return e.type === "DOUBLE";
}

/** How a file's columns map onto a schema: the file's column index of each field (-1: absent, read as null). */
export interface FileColumns {
  index: Map<string, number>;
  /** Columns the file holds after the schema's fields (written under a newer schema): readers ignore them. */
  extra: string[];
}

/**
 * Validates a Parquet file's footer schema against the table schema: every field present, in order, with the
 * physical/logical type the schema names, required fields not nullable. Two additive changes are accepted:
 * a file may lack trailing `added_later` fields (they read as null), and a file may hold columns after the
 * schema's fields (a newer writer's; reads ignore them, rewrites refuse them). Returns the mapping, or a
 * description of the first mismatch (file, field, expected vs found). The caller adds a sample row.
 */
export function fileColumns(
  schema: TableSchema,
  elements: FooterSchemaElement[],
  file: string,
): FileColumns | string {
  const leaves = elements.slice(1); // [0] is the root group
  const index = new Map<string, number>();
  for (const [i, f] of schema.fields.entries()) {
    const e = leaves[i];
    if (!e) {
      const found = leaves.some((l) => l.name === f.name);
      if (!found && f.added_later) {
        index.set(f.name, -1);
        continue;
      }
      return `${file}: schema mismatch: field ${f.name} (#${i + 1}) ${found ? "out of order" : "missing"}; ` +
        `expected ${f.type}, file has columns ${leaves.map((l) => l.name).join(",")}`;
    }
    if (e.name !== f.name) {
      const at = leaves.findIndex((l) => l.name === f.name);
      return `${file}: schema mismatch: field #${i + 1} expected ${f.name} (${f.type}), found ${e.name}` +
        (at >= 0 ? ` (${f.name} is at #${at + 1}: wrong field order)` : ` (${f.name} missing)`) +
        `; file has columns ${leaves.map((l) => l.name).join(",")}`;
    }
    if (!matches(f, e)) {
      return `${file}: schema mismatch: field ${f.name}: expected ${f.type}, found ${describeFound(e)}`;
    }
    if (f.required && e.repetition_type !== "REQUIRED") {
      return `${file}: schema mismatch: field ${f.name}: expected required ${f.type}, found ${
        describeFound(e)
      }`;
    }
    index.set(f.name, i);
  }
  const extra = leaves.slice(schema.fields.length).map((l) => l.name);
  const dup = extra.find((n) => index.has(n));
  if (dup !== undefined) {
    return `${file}: schema mismatch: column ${dup} appears twice; file has columns ${
      leaves.map((l) => l.name).join(",")
    }`;
  }
  return { index, extra };
}

/** The CSV header of a schema: field names, `ts` written as `ts_ms` (epoch milliseconds). */
export function csvColumns(schema: TableSchema): string[] {
  return schema.fields.map((f) => (f.name === "ts" ? "ts_ms" : f.name));
}

export function csvHeader(schema: TableSchema): string {
  return csvColumns(schema).join(",");
}

/** The ohlcv table's CSV header (unchanged since wave 1). */
export const CSV_HEADER = "ts_ms,symbol,open,high,low,close,volume";

/**
 * Validates a stored CSV file's header line; returns how many of the schema's fields the file holds (all,
 * or all but trailing `added_later` fields). Columns after the schema's (a newer writer's) are ignored by
 * reads and refused with `strict` (rewrites must not drop them).
 */
export function assertCsvHeader(
  schema: TableSchema,
  line: string | undefined,
  file: string,
  strict = false,
): number {
  const found = (line ?? "").replace(/^\uFEFF/, "").trim();
  const want = csvColumns(schema);
  const got = found.split(",");
  const mine = got.slice(0, want.length);
  const held = csvPrefix(schema, mine);
  if (held !== null && (got.length === mine.length || (held === want.length && !strict))) return held;
  if (held !== null) {
    throw new InputError(
      `${file}:1: holds column(s) ${got.slice(want.length).join(",")} that table ${schema.table} does not ` +
        `declare (written under a newer schema); rewriting it would drop them: declare them (added_later) first`,
    );
  }
  const i = want.findIndex((w, k) => got[k] !== w);
  throw new InputError(
    `${file}:1: schema mismatch: field #${i + 1} expected ${want[i]}, found ${
      show(got[i] ?? "(missing)")
    }; ` +
      `expected header ${want.join(",")}, found ${show(found, 120)}`,
  );
}

/**
 * When `names` are the schema's CSV columns, or all but trailing `added_later` ones, how many; else null.
 * `ts` is accepted for `ts_ms` when `tsAlias`.
 */
export function csvPrefix(schema: TableSchema, names: string[], tsAlias = false): number | null {
  const want = csvColumns(schema);
  if (names.length > want.length) return null;
  for (let i = 0; i < names.length; i++) {
    if (names[i] !== want[i] && !(i === 0 && tsAlias && names[i] === "ts")) return null;
  }
  for (let i = names.length; i < want.length; i++) if (!schema.fields[i].added_later) return null;
  return names.length;
}

/** Validates the projection asked by a reader against the schema. */
export function checkColumns(schema: TableSchema, columns: readonly string[] | undefined): string[] {
  const all = schema.fields.map((f) => f.name);
  if (!columns || columns.length === 0) return all;
  for (const c of columns) {
    if (!all.includes(c)) {
      throw new InputError(`columns: unknown column ${show(c)} (table ${schema.table} has ${all.join(",")})`);
    }
  }
  return [...new Set(columns)];
}
