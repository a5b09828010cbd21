import type { HorizonReturns } from "./returns.ts";
import type { Regime } from "../regime/types.ts";

/**
 * MomentumCore horizon weights (1h/4h/12h/24h/7d), per regime. Source: src/domain/momentum/core.go /
 * config/momentum.yaml (the DOMAIN.md §1 CONFLICT reading whose rows each sum to 100); "mixed" uses the
 * "no regime" row. See docs/SCORING.md § MomentumCore for why not the SC/unified.go rows (105 and 94).
 */
export const MOMENTUM_WEIGHTS: Record<Regime, HorizonReturns> = {
  trending: [0.15, 0.30, 0.35, 0.15, 0.05],
  choppy: [0.25, 0.35, 0.25, 0.15, 0.0],
  highvol: [0.20, 0.35, 0.30, 0.15, 0.0],
  mixed: [0.20, 0.35, 0.30, 0.15, 0.0],
};

/**
 * MomentumCore raw value: Σ w_h·r_h over the horizon returns (percent), plus 0.10·|accel4h| in the direction
 * of r4h when the acceleration is fresh (computed from the last 8 bars) and sign-aligned with r4h. A missing
 * horizon (NaN, short history) contributes 0 and its weight is dropped from the sum (weights renormalised).
 * NaN only when every horizon is missing.
 */
export function momentumCore(returns: HorizonReturns, regime: Regime, accel = NaN): number {
  const w = MOMENTUM_WEIGHTS[regime];
  let sum = 0;
  let wsum = 0;
  for (let h = 0; h < 5; h++) {
    if (Number.isFinite(returns[h]) && w[h] > 0) {
      sum += w[h] * returns[h];
      wsum += w[h];
    }
  }
  if (wsum === 0) return NaN;
  let core = sum / wsum;
  const r4 = returns[1];
  if (Number.isFinite(accel) && Number.isFinite(r4) && accel !== 0 && Math.sign(accel) === Math.sign(r4)) {
    core += 0.10 * Math.abs(accel) * Math.sign(r4);
  }
  return core;
}
