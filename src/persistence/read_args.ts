import { InputError, show } from "../util/errors.ts";
import type { TimeRange } from "../util/time.ts";

/** Checks a PIT window (both bounds inclusive, epoch ms) before any SQL. */
export function validRange(what: string, range: TimeRange): TimeRange {
  const from = range?.from, to = range?.to;
  for (const [k, v] of [["from", from], ["to", to]] as const) {
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new InputError(`${what}: range.${k}: expected epoch milliseconds, found ${show(v)}`);
    }
  }
  if (from > to) throw new InputError(`${what}: range.from ${from} is after range.to ${to}`);
  return { from, to };
}

export function validSymbol(what: string, symbol: unknown): string {
  if (typeof symbol !== "string" || symbol.trim() === "") {
    throw new InputError(`${what}: symbol: expected a symbol like BTC/USD, found ${show(symbol)}`);
  }
  return symbol.trim();
}

export function validAsOf(what: string, asOf: unknown): Date {
  if (!(asOf instanceof Date) || !Number.isFinite(asOf.getTime())) {
    throw new InputError(`${what}: asOf: expected a valid Date, found ${show(String(asOf))}`);
  }
  return asOf;
}
