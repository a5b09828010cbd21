/** Maximum points social can add to a score (DOMAIN.md §1, the spec's "social capped at +10"). */
export const SOCIAL_CAP = 10;

/**
 * Social points from the orthogonalised social residual (in points): clamp(residual, 0, +10). Negative social
 * never subtracts (canonical SC/unified.go: clamp(…, 0, 10)); NaN/missing → 0.
 */
export function socialPoints(residual: number): number {
  if (!Number.isFinite(residual)) return 0;
  return Math.min(SOCIAL_CAP, Math.max(0, residual));
}

/**
 * Social input from a raw social series (e.g. mentions per hour) already shifted so the value at t uses data
 * < t: 30-day z-score of the last value, winsorised at the 5th/95th percentile, clipped to ±3, mapped to
 * 0..10 points ((z+3)/6·10) — docs/SOCIAL_INPUTS.md of the original, scaled to points. NaN if fewer than 10
 * values.
 */
export function socialInput(history: ArrayLike<number>): number {
  const n = history.length;
  if (n < 10) return NaN;
  const sorted = Array.from(history).sort((a, b) => a - b);
  const p = (q: number) => sorted[Math.min(n - 1, Math.max(0, Math.round(q * (n - 1))))];
  const lo = p(0.05), hi = p(0.95);
  const w = Array.from(history, (v) => Math.min(hi, Math.max(lo, v)));
  const mean = w.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(w.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
  const z = sd > 0 ? Math.max(-3, Math.min(3, (w[n - 1] - mean) / sd)) : 0;
  return ((z + 3) / 6) * 10;
}
