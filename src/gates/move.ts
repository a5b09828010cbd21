import { failed, type GateResult, num, passed, unknown } from "./types.ts";

/** The 24h move (upward, percent) ≥ the regime's minimum (inclusive). */
export function moveGate(r24h: number, min: number, regime: string): GateResult {
  if (!Number.isFinite(r24h)) return unknown("move_24h", min, "24h return needs 24h of history");
  if (r24h >= min) return passed("move_24h", r24h, min, `24h move ${num(r24h)}% ≥ ${min}% (${regime})`);
  return failed("move_24h", r24h, min, `24h move ${num(r24h)}% < ${min}% (${regime})`);
}
