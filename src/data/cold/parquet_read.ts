import type { ColumnChunk } from "hyparquet";
import type { PageLocation } from "hyparquet/src/types.js";
import { InputError } from "../../util/errors.ts";
import { loadEntry } from "../../util/entries.ts";
import { type Batch, type Column, nullColumn } from "./batch.ts";
import { type DecodedColumn, fastPathDecodes, readColumnSpan, readPageLocations } from "./parquet_pages.ts";
import {
  corrupt,
  type ParquetFooter,
  pruneRowGroups,
  readFooter,
  type RowGroupInfo,
} from "./parquet_footer.ts";
import { openPositional, type PositionalFile } from "./positional_file.ts";
import { type FileColumns, fileColumns, isNumeric, type TableSchema } from "./schema.ts";
import { keepInWindow, type ParquetReadRequest, windowSpan } from "./parquet_window.ts";

export { type ParquetReadRequest, windowSpan } from "./parquet_window.ts";

/**
 * Reading Parquet parts: PIT windows, row groups pruned, only the asked columns decoded. This module and
 * everything it imports statically stay off the Parquet writer stack (no parquet-wasm, no apache-arrow):
 * files the page decoder does not take are read by parquet_wasm_read.ts, imported when one is met.
 */

/** The parquet-wasm decoder (and apache-arrow), loaded when a file needs it: a plain read never prepares them. */
const wasmReader = () => loadEntry<typeof import("./parquet_wasm_read.ts")>("data/cold/parquet_wasm_read.ts");

/** The columns a read produces, in order: the key, then the asked ones (ts first). */
export function readColumns(schema: TableSchema, columns: readonly string[]): string[] {
  return [...schema.key, ...columns.filter((c) => !schema.key.includes(c))];
}

/** A sample of the file's first rows for schema error messages (best effort: never throws). */
async function sampleRow(file: PositionalFile): Promise<string> {
  try {
    return await (await wasmReader()).sampleRow(file);
  } catch {
    return "(unreadable)";
  }
}

/** The file's columns against the schema; an InputError naming file, field, expected vs found and a sample row. */
export async function assertFileSchema(
  file: PositionalFile,
  footer: ParquetFooter,
  schema: TableSchema,
  strict = false,
): Promise<FileColumns> {
  const cols = fileColumns(schema, footer.elements, file.path);
  if (typeof cols === "string") throw new InputError(`${cols}; sample row: ${await sampleRow(file)}`);
  if (strict && cols.extra.length > 0) {
    throw new InputError(
      `${file.path}: holds column(s) ${cols.extra.join(",")} that table ${schema.table} does not declare ` +
        `(written under a newer schema); rewriting it would drop them: declare them (added_later) first`,
    );
  }
  return cols;
}

/**
 * Streams the rows of one Parquet file inside the window, in file order: schema checked, row groups pruned
 * by their ts statistics, only the asked columns decoded, one row group in memory at a time, rows outside
 * [from, to] dropped (never yielded; row groups whose statistics start after `to` are never read). A field
 * the file does not hold (`added_later`) reads as null.
 *
 * Files in the encodings parquet-rs/DuckDB/Spark write by default take the fast page decoder
 * (parquet_pages.ts): per row group `ts` is decoded first, then only the span of rows inside the window, for
 * the other columns, from the pages that hold it (offset index). Others (DELTA_* encodings, legacy LZ4, …)
 * take parquet-wasm (loaded then). The footer is read once, for pruning, schema check and pages.
 */
export async function* readParquetFile(path: string, req: ParquetReadRequest): AsyncGenerator<Batch> {
  const file = await openPositional(path, req.digest);
  try {
    req.onIo?.({ kind: "file", path });
    const footer = await readFooter(file);
    const fileCols = await assertFileSchema(file, footer, req.schema, req.strict);
    const groups = pruneRowGroups(footer.rowGroups, req.range);
    if (groups.length === 0) return;
    const wanted = readColumns(req.schema, req.columns);
    const held = wanted.filter((c) => fileCols.index.get(c)! >= 0);
    const colIdx = held.map((c) => fileCols.index.get(c)!);
    const absent = wanted.filter((c) => fileCols.index.get(c)! < 0).map((c) => ({
      name: c,
      numeric: isNumeric(req.schema.fields.find((f) => f.name === c)!.type),
    }));
    const fast = fastPathDecodes(footer.metadata, groups.map((g) => g.index), colIdx);
    const batches = fast
      ? readGroups(file, footer, groups, held, colIdx, req)
      : (await wasmReader()).readGroupsWasm(file, groups, held, req);
    for await (const b of batches) {
      for (const a of absent) b.cols[a.name] = nullColumn(a.numeric, b.length);
      yield b;
    }
  } finally {
    req.onIo?.({ kind: "bytes", path, bytes: file.bytesRead });
    await file.close();
  }
}

/** Rows [lo, hi) of each column asked, decoded by the fast page decoder; nulls → NaN or "". */
async function readSpan(
  file: PositionalFile,
  chunks: ColumnChunk[],
  pages: (PageLocation[] | undefined)[],
  specs: { type: "INT64" | "DOUBLE" | "BYTE_ARRAY"; optional: boolean }[],
  lo: number,
  hi: number,
): Promise<DecodedColumn[]> {
  try {
    return await Promise.all(chunks.map((c, i) => readColumnSpan(file, c, specs[i], lo, hi, pages[i])));
  } catch (err) {
    throw corrupt(file.path, err);
  }
}

/**
 * The fast path: per row group, `ts` is decoded first (dictionary-encoded: a few KiB); then only the span of
 * rows inside the window is decoded for the other columns, from the pages that hold it.
 */
async function* readGroups(
  file: PositionalFile,
  footer: ParquetFooter,
  groups: RowGroupInfo[],
  names: string[],
  colIdx: number[],
  req: ParquetReadRequest,
): AsyncGenerator<Batch> {
  const path = file.path;
  const md = footer.metadata;
  const leaves = footer.elements.slice(1);
  const specs = colIdx.map((i) => ({
    type: leaves[i].type as "INT64" | "DOUBLE" | "BYTE_ARRAY",
    optional: leaves[i].repetition_type !== "REQUIRED",
  }));
  const { from, to } = req.range;
  for (const g of groups) {
    req.signal?.throwIfAborted();
    req.onIo?.({ kind: "row_group", path, index: g.index, rows: g.rows, bytes: g.bytes });
    const chunks = colIdx.map((i) => md.row_groups[g.index].columns[i]);
    let pages: (PageLocation[] | undefined)[];
    try {
      pages = await readPageLocations(file, chunks);
    } catch (err) {
      throw corrupt(path, err);
    }
    const [allTs] = await readSpan(file, [chunks[0]], [pages[0]], [specs[0]], 0, g.rows) as Float64Array[];
    const span = windowSpan(allTs, from, to);
    const { lo, hi } = span;
    if (span.kept > 0) {
      req.signal?.throwIfAborted();
      const rest = await readSpan(file, chunks.slice(1), pages.slice(1), specs.slice(1), lo, hi);
      const cols: Record<string, Column> = { ts: allTs.subarray(lo, hi) };
      rest.forEach((c, k) => (cols[names[k + 1]] = c));
      const out = keepInWindow({ length: hi - lo, cols }, span.kept, req);
      if (out) yield out;
    }
  }
}
