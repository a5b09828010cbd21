import { InputError } from "../util/errors.ts";
import { checkTime } from "../util/time.ts";

export interface ReturnsSeries {
  ts: number[];
  returns: number[];
}

/**
 * Parses a returns file: a header `ts,return` (case-insensitive, surrounding blanks ignored) then one row per
 * period, `ts` ISO-8601 or epoch ms, `return` a simple return (0.01 = +1 %). An empty cell or `NaN` is a missing
 * period (kept, as NaN). Anything else that is not a number — or a bad or non-increasing ts — is an InputError
 * naming the file, the line and the value. Rows must be in increasing time order.
 */
export function parseReturnsCsv(text: string, file: string): ReturnsSeries {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? "").split(",").map((s) => s.trim().toLowerCase());
  if (header.length !== 2 || header[0] !== "ts" || header[1] !== "return") {
    throw new InputError(
      `${file}:1: expected the header "ts,return", found ${JSON.stringify(lines[0] ?? "")}`,
    );
  }
  const ts: number[] = [];
  const returns: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === "") continue;
    const cells = line.split(",").map((s) => s.trim());
    if (cells.length !== 2) {
      throw new InputError(`${file}:${i + 1}: expected 2 cells (ts,return), found ${JSON.stringify(line)}`);
    }
    const t = checkTime(cells[0]);
    if (!t.ok) throw new InputError(`${file}:${i + 1}: ts: ${t.reason}, found ${JSON.stringify(cells[0])}`);
    if (ts.length && t.ms <= ts[ts.length - 1]) {
      throw new InputError(
        `${file}:${i + 1}: ts ${
          JSON.stringify(cells[0])
        } is not after the previous row's (rows must increase)`,
      );
    }
    const cell = cells[1];
    let r: number;
    if (cell === "" || cell.toLowerCase() === "nan") r = NaN;
    else {
      r = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(cell) ? Number(cell) : NaN;
      if (!Number.isFinite(r)) {
        throw new InputError(`${file}:${i + 1}: return: expected a number, found ${JSON.stringify(cell)}`);
      }
      if (r < -1) {
        throw new InputError(
          `${file}:${i + 1}: return: a simple return is at least -1 (-100 %), found ${JSON.stringify(cell)}`,
        );
      }
    }
    ts.push(t.ms);
    returns.push(r);
  }
  if (ts.length === 0) throw new InputError(`${file}: no rows after the header (an empty series)`);
  return { ts, returns };
}
