import { failed, type GateResult, num, passed, unknown } from "./types.ts";

/** VADR ≥ the regime's minimum (inclusive); frozen (unknown → blocks) with fewer than minBars bars. */
export function vadrGate(
  v: { value: number | null; bars: number },
  min: number,
  minBars: number,
  /** Where the minimum came from, when not the regime's (e.g. "24h p80", "adv≥$5M tier"). */
  source?: string,
): GateResult {
  const from = source ? ` (${source})` : "";
  if (v.value === null) {
    return unknown("vadr", min, `VADR frozen: ${v.bars} bars in the last 24h < ${minBars} (or no volume)`);
  }
  if (v.value >= min) return passed("vadr", v.value, min, `VADR ${num(v.value)} ≥ ${num(min)}${from}`);
  return failed("vadr", v.value, min, `VADR ${num(v.value)} < ${num(min)} minimum${from}`);
}
