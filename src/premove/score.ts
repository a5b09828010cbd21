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

export function premoveVerdict(
  a: boolean | null,
  b: boolean | null,
  c: boolean | null,
  requireVolume: boolean,
): PremoveVerdict {
  let known = 0, got = 0;
  const add = (g: boolean | null, w: number) => {
    if (g === null) return;
    known += w;
    if (g) got += w;
  };
  add(a, PREMOVE_WEIGHTS.a);
  add(b, PREMOVE_WEIGHTS.b);
  add(c, PREMOVE_WEIGHTS.c);
  const trues = [a, b, c].filter((g) => g === true).length;
  const passed = trues >= 2 && (!requireVolume || c === true);
  const show = (g: boolean | null) => g === null ? "unknown" : g ? "pass" : "fail";
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
