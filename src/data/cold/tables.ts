import { dirname, join } from "node:path";
import type { ColdConfig, ColdTableSpec } from "../../config/sections/cold.ts";
import { ConfigError, InputError, show } from "../../util/errors.ts";
import { barRowCheck, checkRow, derivsRowCheck, type RowCheck, typedRowCheck } from "./row_check.ts";
import {
  assertSupportedSchema,
  assertTableSchema,
  DEFAULT_KEY,
  type FieldSpec,
  hasOhlcvLayout,
  type TableSchema,
} from "./schema.ts";
import { DERIVS_FIELDS, DERIVS_KEY } from "./schemas/derivs.ts";
import { BAR_KEY, OHLCV_1M_FIELDS, OHLCV_FIELDS } from "./schemas/ohlcv.ts";
import { isQuarantineName, quarantineName, quarantineSchema } from "./schemas/quarantine.ts";
import type { CsvCompression, ParquetCompression, StorageFormat } from "./types.ts";

/**
 * The table registry: every table of the cold tier by name, with its schema, directory, storage format and
 * row check. Built in: `ohlcv`, `ohlcv_1m`, `derivs` (schemas/); `cold.tables.<name>` overrides them or adds
 * tables; `cold.path` + `cold.parquet_schema` keep naming the ohlcv table (the spec's keys). Every table gets
 * a quarantine table `quarantine/<name>` at `<data-dir>/quarantine/<name>` (schemas/quarantine.ts).
 */

export interface TableDef {
  name: string;
  schema: TableSchema;
  /** The table directory as configured: relative paths are under the data dir. */
  path: string;
  format: StorageFormat;
  /** Whether Parquet may be written (cold.tables.<name>.enable_parquet, else cold.enable_parquet). */
  enableParquet: boolean;
  compression: CsvCompression;
  parquetCompression: ParquetCompression;
  rowGroupSize: number;
  /** The row check of every write (row_check.ts). */
  check: RowCheck;
  /** Quarantine tables: the table whose flagged rows it holds. */
  quarantineOf?: string;
}

interface Builtin {
  fields: FieldSpec[];
  key: string[];
  check: (schema: TableSchema) => RowCheck;
}

/** The built-in tables (their schemas are declared lists in schemas/). */
export const BUILTIN_TABLES: Record<string, Builtin> = {
  ohlcv: { fields: OHLCV_FIELDS, key: BAR_KEY, check: () => checkRow },
  ohlcv_1m: { fields: OHLCV_1M_FIELDS, key: BAR_KEY, check: barRowCheck },
  derivs: { fields: DERIVS_FIELDS, key: DERIVS_KEY, check: derivsRowCheck },
};

const DEFAULT_PATH = "cold/ohlcv";

/** The row check a schema gets: ohlcv's for the ohlcv layout, the bar checks for ohlcv_1m's, else typed. */
function checkFor(schema: TableSchema, builtin: Builtin | undefined): RowCheck {
  if (schema.fields.length === 7 && hasOhlcvLayout(schema)) return checkRow;
  if (builtin === BUILTIN_TABLES.ohlcv_1m && hasOhlcvLayout(schema)) return barRowCheck(schema);
  if (builtin && builtin !== BUILTIN_TABLES.ohlcv && builtin !== BUILTIN_TABLES.ohlcv_1m) {
    return builtin.check(schema);
  }
  return typedRowCheck(schema);
}

function storage(cfg: ColdConfig, t: ColdTableSpec) {
  const parquet = (t.enable_parquet ?? cfg.enable_parquet) && (t.format ?? cfg.format) === "parquet";
  return {
    format: (parquet ? "parquet" : "csv") as StorageFormat,
    enableParquet: t.enable_parquet ?? cfg.enable_parquet,
    compression: t.compression ?? cfg.compression,
    parquetCompression: t.parquet_compression ?? cfg.parquet_compression,
    rowGroupSize: t.row_group_size ?? cfg.row_group_size,
  };
}

/** Every table the configuration defines, quarantine tables included, by name. */
export function resolveTables(cfg: ColdConfig): Map<string, TableDef> {
  assertSupportedSchema(cfg.parquet_schema);
  const legacy = cfg.parquet_schema.table;
  const specs: Record<string, ColdTableSpec> = cfg.tables ?? {};
  const names = [...new Set([...Object.keys(BUILTIN_TABLES), legacy, ...Object.keys(specs)])];
  const out = new Map<string, TableDef>();
  for (const name of names) {
    const t = specs[name] ?? {};
    const where = `cold.tables.${name}`;
    const builtin = BUILTIN_TABLES[name];
    let copied: Builtin | undefined;
    if (t.schema !== undefined) {
      copied = BUILTIN_TABLES[t.schema];
      if (!copied) {
        throw new ConfigError(
          `${where}.schema: unknown built-in table ${show(t.schema)} (one of ${
            Object.keys(BUILTIN_TABLES).join(", ")
          })`,
        );
      }
      if (t.fields) throw new ConfigError(`${where}: give fields or schema, not both`);
    }
    const base = copied ?? builtin;
    let fields: FieldSpec[];
    if (t.fields) fields = t.fields;
    else if (copied) fields = copied.fields;
    else if (name === legacy) fields = cfg.parquet_schema.fields;
    else if (builtin) fields = builtin.fields;
    else throw new ConfigError(`${where}: a table that is not built in needs fields (or schema: <built-in>)`);
    const schema: TableSchema = {
      table: name,
      fields: fields.map((f) => ({ ...f })),
      key: [...(t.key ?? base?.key ?? DEFAULT_KEY)],
    };
    assertTableSchema(schema, t.fields ? `${where}.fields` : where);
    if ((name === legacy || name === "ohlcv") && !(schema.fields.length === 7 && hasOhlcvLayout(schema))) {
      throw new ConfigError(
        `${where}.${
          t.schema ? "schema" : "fields"
        }: table ${name} is read as OHLCV bars: expected the ohlcv fields ` +
          `ts,symbol,open,high,low,close,volume, found ${schema.fields.map((f) => f.name).join(",")}`,
      );
    }
    const path = t.path ?? (name === legacy ? cfg.path : join(dirname(cfg.path), name));
    if (name === legacy && t.path !== undefined && cfg.path !== DEFAULT_PATH && cfg.path !== t.path) {
      throw new ConfigError(
        `${where}.path: table ${name}'s directory is set twice, ${show(t.path)} here and ${
          show(cfg.path)
        } in cold.path; keep one (cold.tables.${name}.path is the new spelling)`,
      );
    }
    out.set(name, { name, schema, path, ...storage(cfg, t), check: checkFor(schema, base) });
  }
  for (const def of [...out.values()]) {
    const q = quarantineName(def.name);
    const schema = quarantineSchema(def.schema);
    out.set(q, {
      name: q,
      schema,
      path: q,
      format: def.format,
      enableParquet: def.enableParquet,
      compression: def.compression,
      parquetCompression: def.parquetCompression,
      rowGroupSize: def.rowGroupSize,
      check: typedRowCheck(schema, { anySymbol: true, anyTs: true }),
      quarantineOf: def.name,
    });
  }
  assertDistinctPaths(out);
  return out;
}

/** Two tables in one directory would share a lock and snapshots: refused. */
function assertDistinctPaths(defs: Map<string, TableDef>): void {
  const byPath = new Map<string, string>();
  for (const d of defs.values()) {
    const other = byPath.get(d.path);
    if (other !== undefined) {
      throw new ConfigError(
        `cold.tables.${d.name}.path: tables ${other} and ${d.name} would share the directory ${show(d.path)}`,
      );
    }
    byPath.set(d.path, d.name);
  }
}

/** A table by name; an unknown one is an error listing the known ones. */
export function tableDef(defs: Map<string, TableDef>, name: string, flag = "table"): TableDef {
  const d = defs.get(name);
  if (!d) {
    const known = [...defs.keys()].filter((n) => !isQuarantineName(n)).join(", ");
    throw new InputError(
      `${flag}: unknown table ${show(name)} (tables: ${known}; quarantine/<table> for their quarantine)`,
    );
  }
  return d;
}
