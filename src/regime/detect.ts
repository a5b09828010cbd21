import type { RegimeConfig } from "../config/sections/regime.ts";
import type { Regime, RegimeInputs } from "./types.ts";

export interface RegimeDecision {
  regime: Regime;
  /** Each input's vote and the threshold it was compared with (for --explain and the snapshot). */
  votes: { input: keyof RegimeInputs; value: number; threshold: number; vote: Regime | "none" }[];
  reason: string;
}

/**
 * The regime from its three inputs (docs/SCORING.md § Regime, the reading chosen from DOMAIN.md §2):
 *  - realized_vol_7d ≥ highvol_min → highvol (volatility overrides: in the original's argmax highvol could
 *    never win against two bull/chop votes);
 *  - otherwise pct_above_20ma ≥ above_20ma_min and breadth_thrust ≥ thrust_min each vote trending, else choppy;
 *    two trending votes → trending, two choppy → choppy, a split → mixed.
 * A missing input (NaN: no symbol with enough history) votes choppy — the original's default regime.
 * Thresholds are inclusive.
 */
export function detectRegime(inp: RegimeInputs, cfg: RegimeConfig): RegimeDecision {
  const volVote: Regime | "none" = inp.realized_vol_7d >= cfg.highvol_min ? "highvol" : "none";
  const maVote: Regime = inp.pct_above_20ma >= cfg.above_20ma_min ? "trending" : "choppy";
  const thrustVote: Regime = inp.breadth_thrust >= cfg.thrust_min ? "trending" : "choppy";
  const votes: RegimeDecision["votes"] = [
    { input: "realized_vol_7d", value: inp.realized_vol_7d, threshold: cfg.highvol_min, vote: volVote },
    { input: "pct_above_20ma", value: inp.pct_above_20ma, threshold: cfg.above_20ma_min, vote: maVote },
    { input: "breadth_thrust", value: inp.breadth_thrust, threshold: cfg.thrust_min, vote: thrustVote },
  ];
  let regime: Regime;
  if (volVote === "highvol") regime = "highvol";
  else if (maVote === thrustVote) regime = maVote;
  else regime = "mixed";
  const f = (x: number) => Number.isFinite(x) ? x.toFixed(2) : "n/a";
  const reason = `vol7d ${f(inp.realized_vol_7d)} ${volVote === "highvol" ? "≥" : "<"} ${cfg.highvol_min}; ` +
    `above20ma ${f(inp.pct_above_20ma)} → ${maVote}; thrust ${f(inp.breadth_thrust)} → ${thrustVote}`;
  return { regime, votes, reason };
}
