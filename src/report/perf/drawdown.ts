import { cumWealth } from "./series.ts";

/**
 * Underwater curve: dₜ = Wₜ / max₍ᵢ≤ₜ₎Wᵢ − 1 on compounded wealth W (starting at 1, which counts as a peak),
 * a fraction ≤ 0 per period.
 */
export function underwater(returns: ArrayLike<number>): number[] {
  const w = cumWealth(returns);
  let peak = 1;
  return w.map((x) => {
    if (x > peak) peak = x;
    return x / peak - 1;
  });
}

/**
 * Maximum drawdown (empyrical max_drawdown): min over t of Wₜ / max₍ᵢ≤ₜ₎Wᵢ − 1 on compounded wealth with the
 * starting value included, a negative fraction (−0.25 = a 25 % fall from a peak); 0 when never below a peak;
 * NaN when empty.
 */
export function maxDrawdown(returns: ArrayLike<number>): number {
  if (returns.length === 0) return NaN;
  return Math.min(0, ...underwater(returns));
}
