import { normalizeSymbol } from "../../market/symbols.ts";
import { InputError, show } from "../../util/errors.ts";
import { checkTime, timeOrNaN } from "../../util/time.ts";
import { csvCompressionOf, decompressStream } from "./compression.ts";
import { textLines } from "./csv_lines.ts";
import { checkRow } from "./row_check.ts";
import { CSV_HEADER } from "./schema.ts";
import type { InvalidReason, OhlcvRow } from "./types.ts";

/** ts as 13-digit epoch ms or ISO-8601 (src/util/time.ts `checkTime`: no zone = UTC). NaN when neither. */
export function parseTs(s: string): number {
  return timeOrNaN(s);
}

const num = (s: string | undefined) => (s === undefined || s.trim() === "" ? NaN : Number(s));

export interface InputStats {
  lines: number;
  bytesRead: number;
  skipped: Partial<Record<InvalidReason, number>>;
}

/**
 * Reads an input CSV (`ts_ms,symbol,open,high,low,close,volume`; `ts` is accepted as the first header name
 * and ISO-8601 as its value), compressed per its extension (.csv, .csv.gz, .csv.lz4). Bad rows fail with
 * file:line, the field and the value — or, with `skipInvalid`, are counted by reason in `stats.skipped`.
 */
export async function* readInputCsv(
  path: string,
  opts: { skipInvalid: boolean; signal?: AbortSignal; stats: InputStats },
): AsyncGenerator<OhlcvRow> {
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
  let header: string[] | null = null;
  try {
    for await (
      const { line, lineNo } of textLines(
        file.readable.pipeThrough(counter).pipeThrough(decompressStream(c, path)),
        opts.signal,
      )
    ) {
      opts.stats.lines = lineNo;
      if (header === null) {
        header = line.replace(/^\uFEFF/, "").split(",").map((h) => h.trim());
        const want = CSV_HEADER.split(",");
        const ok = header.length === 7 && (header[0] === "ts_ms" || header[0] === "ts") &&
          header.slice(1).every((h, i) => h === want[i + 1]);
        if (!ok) {
          throw new InputError(
            `${path}:1: header: expected ${want.join(",")} (or ts instead of ts_ms), found ${
              show(line, 120)
            }`,
          );
        }
        continue;
      }
      if (line.trim() === "") continue;
      const f = line.split(",");
      const where = `${path}:${lineNo}`;
      if (f.length !== 7) {
        if (opts.skipInvalid) {
          skip("bad_row");
          continue;
        }
        throw new InputError(`${where}: expected 7 fields, found ${f.length}; row: ${show(line, 160)}`);
      }
      const t = checkTime(f[0]);
      const row: OhlcvRow = {
        ts: t.ok ? t.ms : NaN,
        symbol: normalizeSymbol(f[1]),
        open: num(f[2]),
        high: num(f[3]),
        low: num(f[4]),
        close: num(f[5]),
        volume: num(f[6]),
      };
      const problem = t.ok
        ? checkRow(row as unknown as Record<string, unknown>)
        : { reason: "bad_ts" as const, field: "ts", message: t.reason };
      if (problem) {
        if (opts.skipInvalid) {
          skip(problem.reason);
          continue;
        }
        const raw = problem.field === "ts" ? f[0] : problem.field === "symbol" ? f[1] : f[
          ["open", "high", "low", "close", "volume"].indexOf(problem.field) + 2
        ];
        throw new InputError(
          `${where}: ${problem.field}: ${problem.message.replace(/^[a-z_]+: /, "")} (text ${
            show(raw)
          }); row: ${show(line, 160)}`,
        );
      }
      yield row;
    }
    if (header === null) throw new InputError(`${path}: empty file (expected a header line)`);
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
