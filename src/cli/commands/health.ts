import { loadEntry } from "../../util/entries.ts";
import type { Command } from "../command.ts";

/** `cryptorun health`: help and flags (light; the implementation lives in ./health/run.ts). */

export const healthCommand: Command = {
  name: "health",
  summary: "one-line OK / FAIL: <reason> for the whole system (--json for details)",
  help: `cryptorun health — is the system healthy, and if not, why

Usage: cryptorun health [--config-only | --server URL] [--json]

Prints a single line, OK or FAIL: <check>: <reason>; … and exits 0 (healthy) or 1 (not). It checks, in
order: config, data_dir, database (when persistence is enabled: embedded PGlite or the configured
PostgreSQL answers a ping), provider (hot-tier books of scan.venue: stale books, checksum failures),
freshness_hot / freshness_warm / freshness_cold (age of the newest data per tier vs health.*_max_age_ms
and tiers.warm_max_age_ms; warm is informational unless health.require_tiers lists it), components
(schedulers of a running 'cryptorun serve': last error, failures in a row, silence, backlogs).
With --json it prints one object with every check's result and the last error. docs/MONITORING.md
lists the checks and what to do about each.

Flags:
  --config-only   only validate the configuration and print the effective config (secrets redacted,
                  env overrides listed); exit 2 if it does not validate
  --server URL    ask a running 'cryptorun serve' at URL instead (its /readyz, within
                  health.check_timeout_ms): its summary line, exit 0 when ready, 1 when not or no answer.
                  The container health check uses this: a second process must not open the embedded
                  database that serve holds

Pitfalls:
  - An empty tier is reported ("no data") but only fails when listed in health.require_tiers.
  - Recorded (historical) data in the cold tier is stale by definition: raise health.cold_max_age_ms
    for a research box, keep it tight on a live deployment.
  - With persistence.kind: postgres the DSN comes from \$CRYPTORUN_PG_DSN (or persistence.dsn_file); an
    unset DSN is reported as the database being unreachable.
  - While 'cryptorun serve' runs on the embedded database, a separate 'health' cannot open that database
    (serve holds it): ask the server with --server http://127.0.0.1:9464 instead.

Examples:
  cryptorun health
  cryptorun health --json | jq .checks
  CRYPTORUN_HEALTH_REQUIRE_TIERS=hot,cold cryptorun health
  cryptorun health --server http://127.0.0.1:9464
  cryptorun --config config/prod.yaml health --config-only
  CRYPTORUN_STREAM_KIND=redis cryptorun health --config-only --json`,
  options: {
    "config-only": { type: "boolean" },
    server: { type: "string" },
  },
  load: async () => (await loadEntry<typeof import("./health/run.ts")>("cli/commands/health/run.ts")).run,
};
