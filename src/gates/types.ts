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
  if (a >= 1e9) return `${trimZeros((x / 1e9).toFixed(3))}B`;
  if (a >= 1e6) return `${trimZeros((x / 1e6).toFixed(3))}M`;
  if (a >= 1e4) return `${trimZeros((x / 1e3).toFixed(3))}k`;
  const k = 10 ** digits;
  const m = Math.round(x * k);
  if (m === 0) return "0";
  if (digits < 0 || digits > 4 || !Number.isInteger(digits)) return `${m / k}`;
  // `${m / k}` printed from integers (a number-to-string conversion of a fraction costs several times more):
  // m / 10^d has at most 9 significant digits here, so its shortest round-trip form is exactly m's digits
  // with the point d places from the right and trailing zeros dropped (tests compare the two).
  const u = m < 0 ? -m : m;
  const whole = Math.floor(u / k);
  const frac = u - whole * k;
  const text = frac === 0 ? `${whole}` : `${whole}${fractions(digits)[frac]}`;
  return m < 0 ? `-${text}` : text;
}

/** `+s` printed back: a toFixed string without trailing fraction zeros (and without a bare point). */
function trimZeros(s: string): string {
  if (s.indexOf(".") < 0) return s;
  let end = s.length;
  while (s.charCodeAt(end - 1) === 48 /* 0 */) end--;
  if (s.charCodeAt(end - 1) === 46 /* . */) end--;
  return s.slice(0, end);
}

/** FRACTIONS[d][f] = "." + the d-digit fraction f without trailing zeros (f > 0). */
const FRACTIONS: string[][] = [];
function fractions(d: number): string[] {
  let t = FRACTIONS[d];
  if (t === undefined) {
    t = FRACTIONS[d] = Array.from(
      { length: 10 ** d },
      (_, f) => `.${String(f).padStart(d, "0")}`.replace(/0+$/, ""),
    );
  }
  return t;
}
