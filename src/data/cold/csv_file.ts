import { InputError, show } from "../../util/errors.ts";
import { type Batch, type Column, nullColumn, sliceBatch } from "./batch.ts";
import { digestBuilder, type FileDigest, sizeMismatch, verifyingStream } from "./checksum.ts";
import { compressStream, csvCompressionOf, decompressStream } from "./compression.ts";
import { csvField, splitCsvLine } from "./csv_fields.ts";
import { textLines } from "./csv_lines.ts";
import { assertCsvHeader, csvHeader, type FieldSpec, isNumeric, type TableSchema } from "./schema.ts";
import { OHLCV_SCHEMA } from "./schemas/ohlcv.ts";
import type { CsvCompression, FileReadRequest } from "./types.ts";

/**
 * Stored CSV parts: header = the schema's columns (`ts` as `ts_ms`), one row per line; numbers printed so
 * that they parse back to the same double, strings quoted when they hold a comma or a quote, null = an empty
 * field.
 */

/** One column's text of row i. */
function cellWriter(f: FieldSpec, col: Column): (i: number) => string {
  if (isNumeric(f.type)) {
    const v = col as Float64Array;
    // String(x) is the shortest text that parses back to the same double: values round-trip exactly.
    return (i) => (v[i] === v[i] ? String(v[i]) : "");
  }
  const s = col as string[];
  return (i) => csvField(s[i]);
}

/**
 * Writes sorted rows as a CSV file (header from the schema), compressed as `c`, fsynced; returns the digest
 * of the bytes written (for the manifest).
 */
export async function writeCsvFile(
  path: string,
  cols: Batch,
  c: CsvCompression,
  schema: TableSchema = OHLCV_SCHEMA,
): Promise<FileDigest> {
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  const digest = await digestBuilder();
  const enc = new TextEncoder();
  const cells = schema.fields.map((f) => cellWriter(f, cols.cols[f.name]));
  const header = csvHeader(schema);
  const body = new ReadableStream<Uint8Array>({
    start() {},
    pull: (() => {
      let i = -1;
      return (ctrl: ReadableStreamDefaultController<Uint8Array>) => {
        if (i === -1) {
          ctrl.enqueue(enc.encode(header + "\n"));
          i = 0;
          return;
        }
        if (i >= cols.length) {
          ctrl.close();
          return;
        }
        const lines: string[] = [];
        const end = Math.min(cols.length, i + 8192);
        for (; i < end; i++) {
          let line = cells[0](i);
          for (let k = 1; k < cells.length; k++) line += "," + cells[k](i);
          lines.push(line + "\n");
        }
        ctrl.enqueue(enc.encode(lines.join("")));
      };
    })(),
  });
  try {
    for await (const chunk of body.pipeThrough(compressStream(c))) {
      digest.update(chunk);
      let off = 0;
      while (off < chunk.length) off += await file.write(chunk.subarray(off));
    }
    await file.sync();
  } finally {
    file.close();
  }
  return digest.finish();
}

/** What a CSV read asks (types.ts `FileReadRequest`). */
export type CsvReadRequest = FileReadRequest;

function num(s: string | undefined, f: FieldSpec, where: string, line: string): number {
  if ((s === undefined || s.trim() === "") && !f.required) return NaN;
  const v = s === undefined || s.trim() === "" ? NaN : Number(s);
  if (!Number.isFinite(v)) {
    throw new InputError(
      `${where}: ${f.name}: expected a finite number, found ${show(s ?? "(missing)")}; row: ${
        show(line, 160)
      }`,
    );
  }
  if (f.type !== "double" && !Number.isSafeInteger(v)) {
    const what = f.type === "int64" ? "an integer" : "integer epoch ms";
    throw new InputError(`${where}: ${f.name}: expected ${what}, found ${show(s)}`);
  }
  return v;
}

const TS_MS: FieldSpec = { name: "ts_ms", type: "timestamp(ms)", required: true };

/**
 * Streams the rows of one stored CSV file inside the window (compression detected from the extension).
 * The header is validated; a malformed row fails with file:line, field and value. In a ts-sorted file,
 * reading stops at the first ts > to (PIT: nothing after `to` is decoded). With a digest, bytes reach the
 * decompressor only block by block, each verified first (a mismatch is a ChecksumError). Trailing
 * `added_later` columns a file lacks read as null.
 */
export async function* readCsvFile(path: string, req: CsvReadRequest): AsyncGenerator<Batch> {
  const c = csvCompressionOf(path);
  if (c === null) throw new InputError(`${path}: not a CSV file (expected .csv, .csv.gz or .csv.lz4)`);
  req.onIo?.({ kind: "file", path });
  const file = await Deno.open(path, { read: true });
  let bytesRead = 0;
  const counter = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, ctrl) {
      bytesRead += chunk.length;
      ctrl.enqueue(chunk);
    },
  });
  const schema = req.schema;
  const size = req.batchSize ?? 8192;
  const wanted = [...schema.key, ...req.columns.filter((x) => !schema.key.includes(x))];
  const specs = wanted.map((name) => {
    const at = schema.fields.findIndex((f) => f.name === name);
    return { name, at, field: schema.fields[at], numeric: isNumeric(schema.fields[at].type) };
  });
  const newBatch = (): Batch => {
    const cols: Record<string, Column> = {};
    for (const s of specs) cols[s.name] = nullColumn(s.numeric, size);
    return { length: size, cols };
  };
  let b = newBatch();
  let ts = b.cols.ts as Float64Array;
  let symbol = b.cols.symbol as string[];
  let n = 0;
  let lastTs = -Infinity;
  let sorted = true;
  try {
    if (req.digest) {
      const actual = (await file.stat()).size;
      if (actual !== req.digest.size) throw sizeMismatch(path, req.digest.size, String(actual));
    }
    const raw = file.readable.pipeThrough(counter);
    const verified = req.digest ? raw.pipeThrough(verifyingStream(path, req.digest)) : raw;
    const lines = textLines(verified.pipeThrough(decompressStream(c, path)), req.signal);
    let held = -1;
    let width = 0;
    const rest = specs.slice(2);
    for await (const { line, lineNo } of lines) {
      if (held < 0) {
        held = assertCsvHeader(schema, line, path, req.strict);
        width = line.split(",").length;
        continue;
      }
      if (line === "") continue;
      const where = `${path}:${lineNo}`;
      const f = splitCsvLine(line);
      if (f === null || f.length !== width) {
        throw new InputError(
          `${where}: expected ${width} fields (${csvHeader(schema).split(",").slice(0, held).join(",")}${
            width > held ? ",…" : ""
          }), found ${f === null ? "malformed quoting" : f.length}; row: ${show(line, 160)}`,
        );
      }
      const t = num(f[0], TS_MS, where, line);
      if (t < lastTs) sorted = false;
      lastTs = t;
      if (t > req.range.to) {
        if (sorted) break; // PIT: stop at the first row after the window
        continue;
      }
      if (t < req.range.from || (req.symbols && !req.symbols.has(f[1]))) continue;
      ts[n] = t;
      symbol[n] = f[1];
      for (const s of rest) {
        if (s.at >= held) continue; // a column the file does not hold: null
        if (s.numeric) (b.cols[s.name] as Float64Array)[n] = num(f[s.at], s.field, where, line);
        else {
          if (f[s.at] === "" && s.field.required) {
            throw new InputError(
              `${where}: ${s.name}: expected a value, found an empty field; row: ${show(line, 160)}`,
            );
          }
          (b.cols[s.name] as string[])[n] = f[s.at];
        }
      }
      n++;
      if (n === size) {
        yield b;
        b = newBatch();
        ts = b.cols.ts as Float64Array;
        symbol = b.cols.symbol as string[];
        n = 0;
      }
    }
    if (held < 0) assertCsvHeader(schema, undefined, path);
    if (n > 0) yield sliceBatch(b, 0, n);
  } catch (err) {
    if (err instanceof InputError) throw err; // ChecksumError included
    if (err instanceof DOMException && err.name === "AbortError") throw err;
    if (req.signal?.aborted) throw err;
    throw new InputError(
      `${path}: cannot read (${c} CSV, corrupt or truncated?): ${(err as Error).message ?? err}`,
    );
  } finally {
    req.onIo?.({ kind: "bytes", path, bytes: bytesRead });
    try {
      file.close();
    } catch { /* already closed by the stream */ }
  }
}
