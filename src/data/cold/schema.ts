import * as arrow from "apache-arrow";
import type { ParquetFieldSpec, ParquetSchemaSpec } from "../../config/sections/cold.ts";
import { ConfigError, InputError, show } from "../../util/errors.ts";
import { OHLCV_COLUMNS } from "./types.ts";

/** The Arrow type written for each schema type. ts is int64 milliseconds with UTC semantics. */
export function arrowType(t: ParquetFieldSpec["type"]): arrow.DataType {
  if (t === "timestamp(ms)") return new arrow.TimestampMillisecond("UTC");
  if (t === "string") return new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
  return new arrow.Float64();
}

export function arrowSchema(spec: ParquetSchemaSpec): arrow.Schema {
  return new arrow.Schema(spec.fields.map((f) => new arrow.Field(f.name, arrowType(f.type), !f.required)));
}

/**
 * This version stores the ohlcv layout: `cold.parquet_schema` must list exactly its fields, names and types,
 * in the spec's order. Anything else is a configuration error (exit 2), caught before any file is touched.
 */
export function assertSupportedSchema(spec: ParquetSchemaSpec): void {
  const want: Record<string, ParquetFieldSpec["type"]> = {
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

function matches(f: ParquetFieldSpec, e: FooterSchemaElement): boolean {
  if (f.type === "timestamp(ms)") {
    return e.type === "INT64" &&
      ((e.logical_type?.type === "TIMESTAMP" && e.logical_type.unit === "MILLIS") ||
        e.converted_type === "TIMESTAMP_MILLIS");
  }
  if (f.type === "string") {
    return e.type === "BYTE_ARRAY" && (e.logical_type?.type === "STRING" || e.converted_type === "UTF8");
  }
  return e.type === "DOUBLE";
}

/**
 * Validates a Parquet file's footer schema against `parquet_schema`: every field present, in order, with the
 * physical/logical type the spec names, and required fields not nullable. Returns a description of the first
 * mismatch (file, field, expected vs found) or null. The caller adds a sample row to the error.
 */
export function schemaMismatch(
  spec: ParquetSchemaSpec,
  elements: FooterSchemaElement[],
  file: string,
): string | null {
  const leaves = elements.slice(1); // [0] is the root group
  for (const [i, f] of spec.fields.entries()) {
    const e = leaves[i];
    if (!e) {
      const found = leaves.some((l) => l.name === f.name);
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
  }
  if (leaves.length > spec.fields.length) {
    return `${file}: schema mismatch: unexpected extra field ${leaves[spec.fields.length].name} ` +
      `(#${spec.fields.length + 1}); expected ${spec.fields.map((f) => f.name).join(",")}`;
  }
  return null;
}

export const CSV_HEADER = "ts_ms,symbol,open,high,low,close,volume";

/** Validates a stored CSV file's header line. */
export function assertCsvHeader(line: string | undefined, file: string): void {
  const found = (line ?? "").replace(/^\uFEFF/, "").trim();
  if (found === CSV_HEADER) return;
  const got = found.split(",");
  const want = CSV_HEADER.split(",");
  const i = want.findIndex((w, k) => got[k] !== w);
  throw new InputError(
    `${file}:1: schema mismatch: field #${i + 1} expected ${want[i]}, found ${
      show(got[i] ?? "(missing)")
    }; ` +
      `expected header ${CSV_HEADER}, found ${show(found, 120)}`,
  );
}

/** Validates the projection asked by a reader against the schema. */
export function checkColumns(spec: ParquetSchemaSpec, columns: string[] | undefined): string[] {
  const all = spec.fields.map((f) => f.name);
  if (!columns || columns.length === 0) return all;
  for (const c of columns) {
    if (!all.includes(c)) {
      throw new InputError(`columns: unknown column ${show(c)} (table ${spec.table} has ${all.join(",")})`);
    }
  }
  return [...new Set(columns)];
}
