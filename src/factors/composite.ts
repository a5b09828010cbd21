import { socialPoints } from "./social.ts";

/** The fixed Gram–Schmidt and application order. MomentumCore first (protected), social last. */
export const FACTOR_ORDER = ["momentum", "technical", "volume", "quality", "social"] as const;
export type FactorName = typeof FACTOR_ORDER[number];
/** The weighted factors (social is outside the weights). */
export type WeightedFactor = Exclude<FactorName, "social">;
export type FactorWeights = Record<WeightedFactor, number>;

/**
 * Scale of each factor's input when mapped to 0..100 points: points = 50 + 50·tanh(x / scale). A value of one
 * scale ≈ 88 points. MomentumCore is in percent (5% weighted return ≈ 88); technical in the 0..1 units of
 * RSI/ADX/Hurst; volume in ln-ratio units; quality in coverage units.
 */
export const POINT_SCALES: Record<WeightedFactor, number> = {
  momentum: 5,
  technical: 0.1,
  volume: 0.5,
  quality: 0.1,
};

export function toPoints(x: number, scale: number): number {
  if (!Number.isFinite(x)) return 50;
  return 50 + 50 * Math.tanh(x / scale);
}

export interface CompositeResult {
  /** Final score: clamp(internal + social, 0, 110). */
  score: number;
  /** clamp(Σ w·points, 0, 100), before social. */
  internal: number;
  /** Points each factor added to the score; they sum to `score`. */
  contributions: Record<FactorName, number>;
  /** Each factor's 0..100 points before weighting (social: its 0..10 points). */
  points: Record<FactorName, number>;
  /** Running score after each factor, in application order (proves social is applied last). */
  steps: { factor: FactorName | "clamp"; score: number }[];
}

/**
 * Composite score (canonical SC/unified.go): internal = clamp(Σ w_k·points_k, 0, 100) over momentum, technical,
 * volume, quality; THEN social = clamp(social residual, 0, +10) is added outside the weights; final =
 * clamp(internal + social, 0, 110). Inputs are the orthogonalised values (momentum = MomentumCore unchanged).
 */
export function composite(
  values: Record<FactorName, number>,
  weights: FactorWeights,
): CompositeResult {
  // FACTOR_ORDER spelled out (object literals of one shape: the scan builds one per row).
  const pm = toPoints(values.momentum, POINT_SCALES.momentum);
  const pt = toPoints(values.technical, POINT_SCALES.technical);
  const pv = toPoints(values.volume, POINT_SCALES.volume);
  const pq = toPoints(values.quality, POINT_SCALES.quality);
  let cm = weights.momentum * pm;
  let ct = weights.technical * pt;
  let cv = weights.volume * pv;
  let cq = weights.quality * pq;
  const afterMomentum = 0 + cm;
  const afterTechnical = afterMomentum + ct;
  const afterVolume = afterTechnical + cv;
  const running = afterVolume + cq;
  const internal = Math.min(100, Math.max(0, running));
  if (internal !== running) {
    // Keep attribution summing to the score: scale the weighted contributions to the clamped total.
    const k = running === 0 ? 0 : internal / running;
    cm *= k;
    ct *= k;
    cv *= k;
    cq *= k;
  }
  const social = socialPoints(values.social);
  // internal ∈ [0,100] and social ∈ [0,10], so the final clamp to [0,110] never cuts the social points.
  const score = Math.min(110, Math.max(0, internal + social));
  return {
    score,
    internal,
    contributions: { momentum: cm, technical: ct, volume: cv, quality: cq, social },
    points: { momentum: pm, technical: pt, volume: pv, quality: pq, social },
    steps: [
      { factor: "momentum", score: afterMomentum },
      { factor: "technical", score: afterTechnical },
      { factor: "volume", score: afterVolume },
      { factor: "quality", score: running },
      { factor: "clamp", score: internal },
      { factor: "social", score },
    ],
  };
}
