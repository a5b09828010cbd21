import { failed, type GateResult, num, passed, unknown } from "./types.ts";

export interface FreshnessInput {
  /** Bars between the signal (last closed) bar's close and the as-of time (0 = closed exactly at as-of). */
  barsOld: number;
  /** |close − previous close| of the last bar. */
  lastMove: number;
  /** ATR(1h,14) at the last bar. */
  atr: number;
}

/** Guard: the signal bar is ≤ maxBars old AND |last 1h move| ≤ mult × ATR(1h,14). Bounds inclusive. */
export function freshnessGate(inp: FreshnessInput, maxBars: number, atrMult: number): GateResult {
  if (inp.barsOld > maxBars) {
    return failed("freshness", inp.barsOld, maxBars, `last bar ${num(inp.barsOld, 1)} bars old > ${maxBars}`);
  }
  if (!Number.isFinite(inp.atr) || !Number.isFinite(inp.lastMove)) {
    return unknown("freshness", maxBars, "ATR(1h,14) needs ≥15 bars; not enough history");
  }
  const cap = atrMult * inp.atr;
  if (inp.lastMove > cap) {
    return failed(
      "freshness",
      inp.lastMove,
      cap,
      `last 1h move ${num(inp.lastMove, 4)} > ${atrMult}×ATR ${num(cap, 4)}`,
    );
  }
  return passed(
    "freshness",
    inp.lastMove,
    cap,
    `bar ${num(inp.barsOld, 1)} bars old ≤ ${maxBars}; 1h move ${num(inp.lastMove, 4)} ≤ ${atrMult}×ATR ${
      num(cap, 4)
    }`,
  );
}
