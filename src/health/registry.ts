import type { HealthCheck } from "./check.ts";
import { dataDirCheck } from "./checks_basic.ts";

/** Every check `cryptorun health` and `/readyz` run, in order. */
export const HEALTH_CHECKS: HealthCheck[] = [
  dataDirCheck,
];
