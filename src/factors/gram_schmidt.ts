/**
 * Gram–Schmidt orthogonalisation across the cross-section of one scan (DOMAIN.md §1): factor columns are
 * vectors over the same symbols, processed in a FIXED order. The first column (MomentumCore) is "protected":
 * returned unchanged (the same values, bit for bit). Every later column has its projections onto all earlier
 * RESIDUALISED columns removed: resid_k = raw_k − Σ_{j<k} (raw_k·u_j / u_j·u_j)·u_j. A basis vector with
 * (near-)zero norm is skipped (it spans nothing). Residual dot products with every earlier column are then 0
 * up to floating-point rounding.
 */
export interface FactorColumn {
  name: string;
  values: Float64Array;
}

/** Relative norm below which a basis vector counts as zero (skipped). */
const ZERO_NORM = 1e-18;

export function gramSchmidt(columns: FactorColumn[]): FactorColumn[] {
  if (columns.length === 0) return [];
  const n = columns[0].values.length;
  for (const c of columns) {
    if (c.values.length !== n) {
      throw new RangeError(`gramSchmidt: column ${c.name} has ${c.values.length} values, expected ${n}`);
    }
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(c.values[i])) {
        throw new RangeError(`gramSchmidt: column ${c.name} value ${i} is ${c.values[i]} (not finite)`);
      }
    }
  }
  const out: FactorColumn[] = [{ name: columns[0].name, values: columns[0].values }];
  const basis: Float64Array[] = [];
  const scale = (v: Float64Array) => {
    let m = 0;
    for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(v[i]));
    return m;
  };
  const push = (v: Float64Array) => {
    const s = scale(v);
    if (s > 0 && dot(v, v) > ZERO_NORM * s * s) basis.push(v);
  };
  push(columns[0].values);
  for (let k = 1; k < columns.length; k++) {
    const r = Float64Array.from(columns[k].values);
    // Modified Gram–Schmidt: project the running residual (numerically stabler, same result in exact math).
    for (const u of basis) {
      const c = dot(r, u) / dot(u, u);
      for (let i = 0; i < n; i++) r[i] -= c * u[i];
    }
    out.push({ name: columns[k].name, values: r });
    push(r);
  }
  return out;
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
