import { InputError, show } from "../../util/errors.ts";

/**
 * Kraken's downloadable history files (pure parsing). OHLCVT: `<PAIR>_<minutes>.csv`, lines
 * `timestamp,open,high,low,close,volume,trades` (timestamp = the bar open in epoch SECONDS). Time and sales:
 * `<PAIR>.csv`, lines `timestamp,price,volume` (epoch seconds, fractional). No header (one of the column
 * names is accepted as a first line). Every problem is an InputError naming the file, the line and the field.
 */

export type FileKind = "ohlcvt" | "trades";

export interface FileName {
  /** Kraken's pair name as in the file name (altname: XBTUSD). */
  pair: string;
  /** Bar interval in minutes (OHLCVT), or null for a time-and-sales file. */
  minutes: number | null;
}

/** The pair (and interval) a file name stands for, or null when the name is not of that kind. */
export function parseFileName(path: string, kind: FileKind): FileName | null {
  const base = path.split("/").pop()!;
  if (kind === "ohlcvt") {
    const m = /^([A-Z0-9.]+)_(\d+)\.csv$/i.exec(base);
    return m ? { pair: m[1].toUpperCase(), minutes: Number(m[2]) } : null;
  }
  const m = /^([A-Z0-9.]+)\.csv$/i.exec(base);
  return m ? { pair: m[1].toUpperCase(), minutes: null } : null;
}

const NUM = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const OHLCVT_FIELDS = ["timestamp", "open", "high", "low", "close", "volume", "trades"] as const;
const TRADE_FIELDS = ["timestamp", "price", "volume"] as const;

function fail(file: string, lineNo: number, field: string, msg: string, value: string): never {
  throw new InputError(`${file}:${lineNo}: ${field}: ${msg}, found ${show(value)}`);
}

function num(file: string, lineNo: number, field: string, s: string): number {
  if (!NUM.test(s)) fail(file, lineNo, field, "expected a number", s);
  const n = Number(s);
  if (!Number.isFinite(n)) fail(file, lineNo, field, "expected a finite number", s);
  return n;
}

/** True for a first line that is the column names (Kraken's files have none; exports sometimes do). */
export function isHeader(line: string, kind: FileKind): boolean {
  const names = kind === "ohlcvt" ? OHLCVT_FIELDS : TRADE_FIELDS;
  return line.trim().toLowerCase() === names.join(",");
}

export interface OhlcvtRow {
  ts: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  trades: number;
}

/** One OHLCVT line (ts → epoch ms). `prevTs`: the previous line's ts; bars must be strictly ascending. */
export function parseOhlcvtLine(file: string, lineNo: number, line: string, prevTs: number): OhlcvtRow {
  const f = line.split(",");
  if (f.length !== 7) {
    fail(file, lineNo, "line", `expected 7 fields (${OHLCVT_FIELDS.join(",")}), found ${f.length}`, line);
  }
  const sec = f[0];
  if (!/^\d{9,11}$/.test(sec)) fail(file, lineNo, "timestamp", "expected epoch seconds", sec);
  const ts = Number(sec) * 1000;
  if (ts <= prevTs) {
    fail(
      file,
      lineNo,
      "timestamp",
      `not after the previous line's (${prevTs / 1000}): bars must ascend`,
      sec,
    );
  }
  const trades = f[6];
  if (!/^\d+$/.test(trades)) fail(file, lineNo, "trades", "expected a whole number of trades", trades);
  return {
    ts,
    open: num(file, lineNo, "open", f[1]),
    high: num(file, lineNo, "high", f[2]),
    low: num(file, lineNo, "low", f[3]),
    close: num(file, lineNo, "close", f[4]),
    volume: num(file, lineNo, "volume", f[5]),
    trades: Number(trades),
  };
}

export interface FileTrade {
  ts: number;
  price: number;
  qty: number;
}

/** One time-and-sales line (ts → epoch ms); trades must not go back in time. */
export function parseTradeLine(file: string, lineNo: number, line: string, prevTs: number): FileTrade {
  const f = line.split(",");
  if (f.length !== 3) {
    fail(file, lineNo, "line", `expected 3 fields (${TRADE_FIELDS.join(",")}), found ${f.length}`, line);
  }
  const sec = f[0];
  if (!/^\d{9,11}(\.\d+)?$/.test(sec)) fail(file, lineNo, "timestamp", "expected epoch seconds", sec);
  const ts = Number(sec) * 1000;
  if (ts < prevTs) fail(file, lineNo, "timestamp", `before the previous line's (${prevTs / 1000})`, sec);
  const price = num(file, lineNo, "price", f[1]);
  if (!(price > 0)) fail(file, lineNo, "price", "must be > 0", f[1]);
  const qty = num(file, lineNo, "volume", f[2]);
  if (!(qty > 0)) fail(file, lineNo, "volume", "must be > 0", f[2]);
  return { ts, price, qty };
}
