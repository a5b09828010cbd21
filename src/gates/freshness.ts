import { failed, type GateResult, num, passed, unknown } from "./types.ts";

export interface FreshnessInput {
  /**
   * Age of the oldest feed the result is built from, in bars (worst feed wins): the signal bar's close, or a
   * book older than it, to the as-of time (0 = closed exactly at as-of).
   */
  barsOld: number;
  /** Which feed set `barsOld` (default "bars": the signal bar). */
  feed?: string;
  /** |close − previous close| of the last bar. */
  lastMove: number;
  /** ATR(1h,14) at the last bar. */
  atr: number;
}

/**
 * Guard: the oldest feed (worst feed wins: the signal bar, or an older book) is ≤ maxBars old AND |last 1h
 * move| ≤ mult × ATR(1h,14). Bounds inclusive.
 */
export function freshnessGate(inp: FreshnessInput, maxBars: number, atrMult: number): GateResult {
  const bars = inp.feed === undefined || inp.feed === "bars";
  const what = (lead: string) => (bars ? lead : `oldest feed (${inp.feed})`);
  if (inp.barsOld > maxBars) {
    return failed(
      "freshness",
      inp.barsOld,
      maxBars,
      `${what("last bar")} ${num(inp.barsOld, 1)} bars old > ${maxBars}`,
    );
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
    `${what("bar")} ${num(inp.barsOld, 1)} bars old ≤ ${maxBars}; 1h move ${
      num(inp.lastMove, 4)
    } ≤ ${atrMult}×ATR ${num(cap, 4)}`,
  );
}
