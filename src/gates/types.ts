/** One gate's verdict. `pass` is true only for status "pass": unknown never passes silently. */
export interface GateResult {
  name: string;
  status: "pass" | "fail" | "unknown";
  pass: boolean;
  /** false for informational gates whose input CryptoRun does not have (they never block, and say so). */
  required: boolean;
  /** The measured value (null when unknown). */
  value: number | null;
  threshold: number | null;
  /** Human reason with the numbers, e.g. "spread 61.2 bps > 50 bps cap". */
  reason: string;
}

export function passed(
  name: string,
  value: number | null,
  threshold: number | null,
  reason: string,
): GateResult {
  return { name, status: "pass", pass: true, required: true, value, threshold, reason };
}
export function failed(
  name: string,
  value: number | null,
  threshold: number | null,
  reason: string,
): GateResult {
  return { name, status: "fail", pass: false, required: true, value, threshold, reason };
}
/** Missing input: status unknown, pass false. `required` gates then block the entry. */
export function unknown(name: string, threshold: number | null, reason: string, required = true): GateResult {
  return { name, status: "unknown", pass: false, required, value: null, threshold, reason };
}

/** Compact number for reasons: 61.2, 0.55, 1.2M, 150k, 99.999k. */
export function num(x: number, digits = 2): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  // Enough decimals that a value just below a round threshold never prints as the threshold.
  if (a >= 1e9) return `${+(x / 1e9).toFixed(3)}B`;
  if (a >= 1e6) return `${+(x / 1e6).toFixed(3)}M`;
  if (a >= 1e4) return `${+(x / 1e3).toFixed(3)}k`;
  const k = 10 ** digits;
  const r = Math.round(x * k) / k;
  return `${r === 0 ? 0 : r}`;
}
