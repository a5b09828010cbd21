import type { PremoveVerdict } from "./score.ts";

/** The premove artifact of one symbol at one as-of time (persistence's PremoveArtifact input shape). */
export interface PremoveArtifactRecord {
  ts: Date;
  symbol: string;
  gate_a: boolean | null;
  gate_b: boolean | null;
  gate_c: boolean | null;
  score: number | null;
  factors: Record<string, unknown>;
}

/** Builds the artifact: the verdict plus the inputs that explain it (venue, regime, scan score, factors). */
export function premoveArtifact(
  asOf: number,
  row: { symbol: string; venue: string; quote: string; score: number; premove: PremoveVerdict },
  regime: string,
  factors: Record<string, unknown>,
): PremoveArtifactRecord {
  return {
    ts: new Date(asOf),
    symbol: row.symbol,
    gate_a: row.premove.gate_a,
    gate_b: row.premove.gate_b,
    gate_c: row.premove.gate_c,
    score: row.premove.score,
    factors: {
      venue: row.venue,
      quote: row.quote,
      regime,
      scan_score: row.score,
      premove_passed: row.premove.passed,
      coverage: row.premove.coverage,
      reason: row.premove.reason,
      ...factors,
    },
  };
}
