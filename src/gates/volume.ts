import { failed, type GateResult, num, passed } from "./types.ts";

/** 24h notional volume (quote currency) ≥ minimum (inclusive). */
export function volumeGate(notional24h: number, min: number, quote: string): GateResult {
  if (notional24h >= min) {
    return passed("volume", notional24h, min, `24h volume ${num(notional24h)} ${quote} ≥ ${num(min)}`);
  }
  return failed("volume", notional24h, min, `24h volume ${num(notional24h)} ${quote} < ${num(min)} minimum`);
}
