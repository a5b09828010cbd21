import type { HealthCheck } from "./check.ts";
import { configCheck, dataDirCheck } from "./checks_basic.ts";
import { componentsCheck } from "./checks_components.ts";
import { databaseCheck } from "./checks_database.ts";
import { freshnessColdCheck, freshnessHotCheck, freshnessWarmCheck } from "./checks_freshness.ts";
import { providerCheck } from "./checks_provider.ts";
import { circuitBreakersCheck } from "./checks_breakers.ts";

/** Every check `cryptorun health` and `/readyz` run, in order (documented in docs/MONITORING.md). */
export const HEALTH_CHECKS: HealthCheck[] = [
  configCheck,
  dataDirCheck,
  databaseCheck,
  providerCheck,
  freshnessHotCheck,
  freshnessWarmCheck,
  freshnessColdCheck,
  componentsCheck,
  circuitBreakersCheck,
];
