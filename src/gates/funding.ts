import { failed, type GateResult, num, passed, unknown } from "./types.ts";

/**
 * Funding z-score, point in time: the series is SHIFTED BY ONE PERIOD first, so the z at period t uses
 * funding values up to t−1 only (a funding rate is known only once its period settles). z = (last shifted
 * value − mean) / stdev over the `lookback` shifted values. NaN with fewer than lookback+1 values.
 */
export function fundingZ(funding: ArrayLike<number>, lookback = 30): number {
  const n = funding.length;
  if (n < lookback + 1) return NaN;
  // shift(1): drop the current (unsettled) period.
  const shifted = Array.prototype.slice.call(funding, n - 1 - lookback, n - 1) as number[];
  const mean = shifted.reduce((a, b) => a + b, 0) / lookback;
  const sd = Math.sqrt(shifted.reduce((a, b) => a + (b - mean) ** 2, 0) / lookback);
  // A flat series (every print the same) has sd 0, but summing floats leaves ~1e-21 of rounding noise,
  // which would divide into a z of ±1: below a relative 1e-9 of the level, the spread is rounding.
  if (!(sd > 1e-9 * Math.max(Math.abs(mean), 1e-12))) return 0;
  return (shifted[lookback - 1] - mean) / sd;
}

/**
 * Entry gate 3, funding divergence (DOMAIN.md §6): |z| ≥ zMin and the widest venue's deviation from the
 * median ≥ 0.00005 (per hour). Spot venues have no funding: with no derivatives input the gate is "unknown,
 * not required" — it never blocks and never claims to have passed. With one derivatives venue the deviation
 * cannot be measured: the z alone is judged and shown, as an informational (not required) result.
 */
export function fundingGate(
  inp: { z: number; maxVenueDev: number | null; venues?: number } | undefined,
  zMin = 2,
  devMin = 0.00005,
): GateResult {
  if (!inp || !Number.isFinite(inp.z)) {
    return unknown(
      "funding",
      zMin,
      "no derivatives data (spot venue): funding divergence not evaluated",
      false,
    );
  }
  const zOk = Math.abs(inp.z) >= zMin;
  const zText = `funding |z| ${num(Math.abs(inp.z))} ${zOk ? "≥" : "<"} ${zMin}`;
  if (inp.maxVenueDev === null || !Number.isFinite(inp.maxVenueDev)) {
    const r = zOk ? passed("funding", inp.z, zMin, "") : failed("funding", inp.z, zMin, "");
    return {
      ...r,
      required: false,
      reason: `${zText}; venue divergence needs ≥2 derivatives venues (have ${
        inp.venues ?? 1
      }): informational`,
    };
  }
  const ok = zOk && inp.maxVenueDev >= devMin;
  const desc = `${zText}, venue dev ${inp.maxVenueDev.toExponential(1)} ${
    inp.maxVenueDev >= devMin ? "≥" : "<"
  } ${devMin}`;
  return ok ? passed("funding", inp.z, zMin, desc) : failed("funding", inp.z, zMin, desc);
}
