import { InputError, show } from "../../util/errors.ts";
import { digestBuilder, type FileDigest, sizeMismatch, verifyingStream } from "./checksum.ts";
import type { ColumnBatch, Columns, ValueColumn } from "./columns.ts";
import { sliceBatch, VALUE_COLUMNS } from "./columns.ts";
import { compressStream, csvCompressionOf, decompressStream } from "./compression.ts";
import { textLines } from "./csv_lines.ts";
import { assertCsvHeader, CSV_HEADER } from "./schema.ts";
import type { CsvCompression, IoEvent, TimeRange } from "./types.ts";

/**
 * Writes sorted rows as a CSV file (header `ts_ms,symbol,open,high,low,close,volume`), compressed as `c`,
 * fsynced; returns the digest of the bytes written (for the manifest).
 */
export async function writeCsvFile(path: string, cols: Columns, c: CsvCompression): Promise<FileDigest> {
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  const digest = await digestBuilder();
  const enc = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start() {},
    pull: (() => {
      let i = -1;
      return (ctrl: ReadableStreamDefaultController<Uint8Array>) => {
        if (i === -1) {
          ctrl.enqueue(enc.encode(CSV_HEADER + "\n"));
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
          // String(x) is the shortest text that parses back to the same double: values round-trip exactly.
          lines.push(
            `${cols.ts[i]},${cols.symbol[i]},${cols.open[i]},${cols.high[i]},${cols.low[i]},${
              cols.close[i]
            },${cols.volume[i]}\n`,
          );
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

export interface CsvReadRequest {
  range: TimeRange;
  columns: readonly ValueColumn[];
  symbols?: ReadonlySet<string>;
  signal?: AbortSignal;
  onIo?: (e: IoEvent) => void;
  batchSize?: number;
  /** The file's digest from the manifest: each block is verified before any of its rows is decoded. */
  digest?: FileDigest;
}

function num(s: string | undefined, field: string, where: string, line: string): number {
  const v = s === undefined || s.trim() === "" ? NaN : Number(s);
  if (!Number.isFinite(v)) {
    throw new InputError(
      `${where}: ${field}: expected a finite number, found ${show(s ?? "(missing)")}; row: ${
        show(line, 160)
      }`,
    );
  }
  return v;
}

/**
 * Streams the rows of one stored CSV file inside the window (compression detected from the extension).
 * The header is validated; a malformed row fails with file:line, field and value. In a ts-sorted file,
 * reading stops at the first ts > to (PIT: nothing after `to` is decoded). With a digest, bytes reach the
 * decompressor only block by block, each verified first (a mismatch is a ChecksumError).
 */
export async function* readCsvFile(path: string, req: CsvReadRequest): AsyncGenerator<ColumnBatch> {
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
  const size = req.batchSize ?? 8192;
  let b = newBatch(size, req.columns);
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
    let first = true;
    for await (const { line, lineNo } of lines) {
      if (first) {
        assertCsvHeader(line, path);
        first = false;
        continue;
      }
      if (line === "") continue;
      const where = `${path}:${lineNo}`;
      const f = line.split(",");
      if (f.length !== 7) {
        throw new InputError(
          `${where}: expected 7 fields (${CSV_HEADER}), found ${f.length}; row: ${show(line, 160)}`,
        );
      }
      const ts = num(f[0], "ts_ms", where, line);
      if (!Number.isSafeInteger(ts)) {
        throw new InputError(`${where}: ts_ms: expected integer epoch ms, found ${show(f[0])}`);
      }
      if (ts < lastTs) sorted = false;
      lastTs = ts;
      if (ts > req.range.to) {
        if (sorted) break; // PIT: stop at the first row after the window
        continue;
      }
      if (ts < req.range.from || (req.symbols && !req.symbols.has(f[1]))) continue;
      b.ts[n] = ts;
      b.symbol[n] = f[1];
      for (const col of req.columns) {
        b[col]![n] = num(f[2 + VALUE_COLUMNS.indexOf(col)], col, where, line);
      }
      n++;
      if (n === size) {
        yield b;
        b = newBatch(size, req.columns);
        n = 0;
      }
    }
    if (first) assertCsvHeader(undefined, path);
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

function newBatch(size: number, columns: readonly ValueColumn[]): ColumnBatch {
  const b: ColumnBatch = { length: size, ts: new Float64Array(size), symbol: new Array<string>(size) };
  for (const c of columns) b[c] = new Float64Array(size);
  return b;
}
