import type { FactorWeights } from "../factors/composite.ts";
import type { Regime } from "./types.ts";

/**
 * Canonical regime weight sets (SC/normalize.go, DOMAIN.md §2): momentum / technical / supply-demand /
 * catalyst, supply-demand split 55% volume / 45% quality.
 */
export const CANONICAL_WEIGHTS = {
  trending: { momentum: 0.42, technical: 0.20, supply_demand: 0.28, catalyst: 0.10 },
  choppy: { momentum: 0.27, technical: 0.25, supply_demand: 0.33, catalyst: 0.15 },
  highvol: { momentum: 0.32, technical: 0.22, supply_demand: 0.35, catalyst: 0.11 },
} as const;

/**
 * The factor weights a regime uses. CryptoRun has no catalyst source (event feeds), so the catalyst weight is
 * removed and the rest renormalised to sum to 1 (docs/SCORING.md § Weights). "mixed" (split vote) is the
 * mean of trending and choppy.
 */
export function regimeWeights(regime: Regime): FactorWeights {
  if (regime === "mixed") {
    const a = regimeWeights("trending");
    const b = regimeWeights("choppy");
    return {
      momentum: (a.momentum + b.momentum) / 2,
      technical: (a.technical + b.technical) / 2,
      volume: (a.volume + b.volume) / 2,
      quality: (a.quality + b.quality) / 2,
    };
  }
  const c = CANONICAL_WEIGHTS[regime];
  const total = c.momentum + c.technical + c.supply_demand;
  return {
    momentum: c.momentum / total,
    technical: c.technical / total,
    volume: (0.55 * c.supply_demand) / total,
    quality: (0.45 * c.supply_demand) / total,
  };
}

/** Rounds weights for display/persistence (6 decimals). */
export function roundedWeights(w: FactorWeights): Record<string, number> {
  return Object.fromEntries(Object.entries(w).map(([k, v]) => [k, Math.round(v * 1e6) / 1e6]));
}
