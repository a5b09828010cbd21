import { failed, type GateResult, num, passed } from "./types.ts";

/** Entry gate 1: composite score ≥ minimum (inclusive). */
export function scoreGate(score: number, min: number): GateResult {
  if (score >= min) return passed("score", score, min, `score ${num(score, 1)} ≥ ${num(min, 1)}`);
  return failed("score", score, min, `score ${num(score, 1)} < ${num(min, 1)} minimum`);
}
