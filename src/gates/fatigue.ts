import { failed, type GateResult, num, passed, unknown } from "./types.ts";

export interface FatigueInput {
  /** 24h return, percent. */
  r24h: number;
  /** RSI(14) on 4h closes. */
  rsi4h: number;
  /** 4h acceleration, percentage points. */
  accel4h: number;
}

/**
 * Guard: blocked when r24h > r24hMax AND RSI4h > rsiMax, unless accel4h ≥ accelMin (docs/GATES.md's "≥2%";
 * the code's "> 0" is the CONFLICT reading not taken — docs/SCORING.md § Gates).
 */
export function fatigueGate(
  inp: FatigueInput,
  r24hMax: number,
  rsiMax: number,
  accelMin: number,
): GateResult {
  if (!Number.isFinite(inp.r24h) || !Number.isFinite(inp.rsi4h)) {
    return unknown("fatigue", r24hMax, "24h return or RSI(4h) needs more history");
  }
  const hot = inp.r24h > r24hMax && inp.rsi4h > rsiMax;
  if (!hot) {
    return passed(
      "fatigue",
      inp.r24h,
      r24hMax,
      `not fatigued: 24h ${num(inp.r24h)}% ${inp.r24h > r24hMax ? ">" : "≤"} ${r24hMax}%, RSI4h ${
        num(inp.rsi4h, 1)
      } ${inp.rsi4h > rsiMax ? ">" : "≤"} ${rsiMax}`,
    );
  }
  if (Number.isFinite(inp.accel4h) && inp.accel4h >= accelMin) {
    return passed(
      "fatigue",
      inp.r24h,
      r24hMax,
      `24h ${num(inp.r24h)}% > ${r24hMax}% and RSI4h ${num(inp.rsi4h, 1)} > ${rsiMax}, but accel ${
        num(inp.accel4h)
      }pp ≥ ${accelMin}pp`,
    );
  }
  return failed(
    "fatigue",
    inp.r24h,
    r24hMax,
    `fatigued: 24h ${num(inp.r24h)}% > ${r24hMax}% and RSI4h ${num(inp.rsi4h, 1)} > ${rsiMax}, accel ${
      num(inp.accel4h)
    }pp < ${accelMin}pp`,
  );
}
