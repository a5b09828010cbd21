import { normalizeSymbol } from "../../market/symbols.ts";
import { InputError, show } from "../../util/errors.ts";
import { checkTime, timeOrNaN } from "../../util/time.ts";
import type { RowInput } from "./batch.ts";
import { csvCompressionOf, decompressStream } from "./compression.ts";
import { splitCsvLine } from "./csv_fields.ts";
import { textLines } from "./csv_lines.ts";
import { checkRow, type RowCheck } from "./row_check.ts";
import { csvColumns, csvPrefix, type FieldSpec, type TableSchema } from "./schema.ts";
import { OHLCV_SCHEMA } from "./schemas/ohlcv.ts";
import type { InvalidReason } from "./types.ts";

/** ts as 13-digit epoch ms or ISO-8601 (src/util/time.ts `checkTime`: no zone = UTC). NaN when neither. */
export function parseTs(s: string): number {
  return timeOrNaN(s);
}

export interface InputStats {
  lines: number;
  bytesRead: number;
  skipped: Partial<Record<InvalidReason, number>>;
}

export interface InputOptions {
  skipInvalid: boolean;
  signal?: AbortSignal;
  stats: InputStats;
  /** The table the rows are for: its columns are the header (default: the ohlcv table). */
  schema?: TableSchema;
  /** The table's row check (default: the ohlcv table's). */
  check?: RowCheck;
}

/**
 * One cell as the row value its field takes: empty = null; timestamps as epoch ms or ISO-8601; numbers that
 * do not parse stay text, so the row check names them.
 */
function cell(f: FieldSpec, s: string): number | string | null {
  if (f.type === "string") return f.name === "symbol" ? normalizeSymbol(s) : s;
  if (s.trim() === "") return null;
  if (f.type === "timestamp(ms)") {
    const t = checkTime(s);
    return t.ok ? t.ms : s;
  }
  const v = Number(s);
  return Number.isFinite(v) ? v : s;
}

/**
 * Reads an input CSV for a table: its header is the table's columns (`ts_ms,symbol,open,high,low,close,volume`
 * for ohlcv; `ts` is accepted as the first name, and trailing `added_later` columns may be left out),
 * compressed per its extension (.csv, .csv.gz, .csv.lz4); ts as epoch ms or ISO-8601; strings quoted when
 * they hold a comma. Bad rows fail with file:line, the field and the value — or, with `skipInvalid`, are
 * counted by reason in `stats.skipped`.
 */
export async function* readInputCsv(path: string, opts: InputOptions): AsyncGenerator<RowInput> {
  const schema = opts.schema ?? OHLCV_SCHEMA;
  const check = opts.check ?? checkRow;
  const c = csvCompressionOf(path);
  if (c === null) throw new InputError(`--input: ${path}: expected a .csv, .csv.gz or .csv.lz4 file`);
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (err) {
    throw new InputError(`--input: cannot open ${path}: ${(err as Error).message}`);
  }
  const counter = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, ctrl) {
      opts.stats.bytesRead += chunk.length;
      ctrl.enqueue(chunk);
    },
  });
  const skip = (r: InvalidReason) => (opts.stats.skipped[r] = (opts.stats.skipped[r] ?? 0) + 1);
  let fields: FieldSpec[] | null = null;
  try {
    for await (
      const { line, lineNo } of textLines(
        file.readable.pipeThrough(counter).pipeThrough(decompressStream(c, path)),
        opts.signal,
      )
    ) {
      opts.stats.lines = lineNo;
      if (fields === null) {
        const header = line.replace(/^\uFEFF/, "").split(",").map((h) => h.trim());
        const held = csvPrefix(schema, header, true);
        if (held === null) {
          throw new InputError(
            `${path}:1: header: expected ${csvColumns(schema).join(",")} (or ts instead of ts_ms), found ${
              show(line, 120)
            }`,
          );
        }
        fields = schema.fields.slice(0, held);
        continue;
      }
      if (line.trim() === "") continue;
      const f = splitCsvLine(line);
      const where = `${path}:${lineNo}`;
      if (f === null || f.length !== fields.length) {
        if (opts.skipInvalid) {
          skip("bad_row");
          continue;
        }
        throw new InputError(
          `${where}: expected ${fields.length} fields, found ${
            f === null ? "malformed quoting" : f.length
          }; ` +
            `row: ${show(line, 160)}`,
        );
      }
      const t = checkTime(f[0]);
      const row: RowInput = { ts: t.ok ? t.ms : NaN };
      for (let k = 1; k < fields.length; k++) row[fields[k].name] = cell(fields[k], f[k]);
      const problem = t.ok
        ? check(row as Record<string, unknown>)
        : { reason: "bad_ts" as const, field: "ts", message: t.reason };
      if (problem) {
        if (opts.skipInvalid) {
          skip(problem.reason);
          continue;
        }
        const at = fields.findIndex((x) => x.name === problem.field);
        const raw = at >= 0 ? f[at] : undefined;
        const message = problem.message.replace(/^[a-z_]+: /, "");
        throw new InputError(
          `${where}: ${problem.field}: ${message}${raw === undefined ? "" : ` (text ${show(raw)})`}; row: ${
            show(line, 160)
          }`,
        );
      }
      yield row;
    }
    if (fields === null) throw new InputError(`${path}: empty file (expected a header line)`);
  } catch (err) {
    if (err instanceof InputError || opts.signal?.aborted) throw err;
    throw new InputError(
      `${path}: cannot read (${c} CSV, corrupt or truncated?): ${(err as Error).message ?? err}`,
    );
  } finally {
    try {
      file.close();
    } catch { /* closed by the stream */ }
  }
}
