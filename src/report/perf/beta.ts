/** Pairs (xᵢ, yᵢ) where both are numbers (empyrical's alpha_beta: periods where either is NaN are dropped). */
function pairs(x: ArrayLike<number>, y: ArrayLike<number>): [number[], number[]] {
  const a: number[] = [];
  const b: number[] = [];
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    if (!Number.isNaN(x[i]) && !Number.isNaN(y[i])) {
      a.push(x[i]);
      b.push(y[i]);
    }
  }
  return [a, b];
}

/** Beta of r against benchmark b: cov(r, b) / var(b) over periods where both are present; NaN below 2. */
export function beta(r: ArrayLike<number>, b: ArrayLike<number>): number {
  const [x, y] = pairs(r, b);
  const n = x.length;
  if (n < 2) return NaN;
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let cov = 0;
  let vy = 0;
  for (let i = 0; i < n; i++) {
    cov += (x[i] - mx) * (y[i] - my);
    vy += (y[i] - my) ** 2;
  }
  return vy === 0 ? NaN : cov / vy;
}

/**
 * Pearson correlation: Σ(x − x̄)(y − ȳ) / √(Σ(x − x̄)² · Σ(y − ȳ)²) over periods where both are present; NaN
 * below 2 periods or when either is constant.
 */
export function correlation(r: ArrayLike<number>, b: ArrayLike<number>): number {
  const [x, y] = pairs(r, b);
  const n = x.length;
  if (n < 2) return NaN;
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxx === 0 || syy === 0 ? NaN : sxy / Math.sqrt(sxx * syy);
}
