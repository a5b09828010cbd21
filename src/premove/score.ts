/** Gate weights of the premove score (docs/PREMOVE.md of the original): A 40, B 35, C 25. */
export const PREMOVE_WEIGHTS = { a: 40, b: 35, c: 25 } as const;

export interface PremoveVerdict {
  gate_a: boolean | null;
  gate_b: boolean | null;
  gate_c: boolean | null;
  /** 0..100 over the KNOWN gates' weights (null when no gate is known). */
  score: number | null;
  /** Share of the weight that was known (0..1): a score from C alone has coverage 0.25. */
  coverage: number;
  /** 2-of-3 gates true; in `mixed` (unknown-direction) regimes gate C must be one of them. */
  passed: boolean;
  reason: string;
}

const show = (g: boolean | null) => g === null ? "unknown" : g ? "pass" : "fail";

export function premoveVerdict(
  a: boolean | null,
  b: boolean | null,
  c: boolean | null,
  requireVolume: boolean,
): PremoveVerdict {
  let known = 0, got = 0, trues = 0;
  if (a !== null) known += PREMOVE_WEIGHTS.a;
  if (a === true) {
    got += PREMOVE_WEIGHTS.a;
    trues++;
  }
  if (b !== null) known += PREMOVE_WEIGHTS.b;
  if (b === true) {
    got += PREMOVE_WEIGHTS.b;
    trues++;
  }
  if (c !== null) known += PREMOVE_WEIGHTS.c;
  if (c === true) {
    got += PREMOVE_WEIGHTS.c;
    trues++;
  }
  const passed = trues >= 2 && (!requireVolume || c === true);
  const reason = `A ${show(a)}, B ${show(b)}, C ${show(c)}: ${trues} of 3 true (2 needed${
    requireVolume ? ", C required in this regime" : ""
  })`;
  return {
    gate_a: a,
    gate_b: b,
    gate_c: c,
    score: known > 0 ? (100 * got) / known : null,
    coverage: known / 100,
    passed,
    reason,
  };
}
