import type { DerivsConfig } from "../config/sections/derivs.ts";
import type { DerivsLimits } from "../market/derivs_math.ts";

/** The plausibility limits configured under `derivs:`. */
export function limitsOf(cfg: DerivsConfig): DerivsLimits {
  return { maxAbsFundingPerHour: cfg.max_abs_funding_per_hour, maxAbsBasis: cfg.max_abs_basis };
}
