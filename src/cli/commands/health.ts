import type { Command } from "../command.ts";
import { effectiveConfig, renderYaml } from "../../config/effective.ts";
import { type CheckResult, runChecks, summaryLine } from "../../health/check.ts";
import { HEALTH_CHECKS } from "../../health/registry.ts";
import { defaultSources } from "../../health/sources.ts";
import { redact, redactValue } from "../../log/redact.ts";
import { probeReadyz } from "../../health/remote.ts";
import { UsageError } from "../../util/errors.ts";

/** The most recent error any component reported (from the components check), or null. */
export function lastErrorOf(results: CheckResult[]): unknown {
  return results.find((r) => r.name === "components")?.details?.last_error ?? null;
}

export const healthCommand: Command = {
  name: "health",
  summary: "one-line OK / FAIL: <reason> for the whole system (--json for details)",
  help: `cryptorun health — is the system healthy, and if not, why

Usage: cryptorun health [--config-only | --server URL] [--json]

Prints a single line, OK or FAIL: <check>: <reason>; … and exits 0 (healthy) or 1 (not). It checks, in
order: config, data_dir, database (when persistence is enabled: embedded PGlite or the configured
PostgreSQL answers a ping), provider (hot-tier books of scan.venue: stale books, checksum failures),
freshness_hot / freshness_cold (age of the newest data per tier vs health.*_max_age_ms), components
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
  async run(ctx, args) {
    const cfg = await ctx.config(); // ConfigError → exit 2
    const dataDir = await ctx.dataDir();
    const server = args.values.server as string | undefined;
    if (server !== undefined && args.values["config-only"]) {
      throw new UsageError("--server and --config-only exclude each other");
    }
    if (args.values["config-only"]) {
      const eff = await effectiveConfig(cfg, ctx.overrides(), dataDir, ctx.env);
      ctx.out(ctx.globals.json ? JSON.stringify(eff) : renderYaml(eff));
      return 0;
    }
    if (server !== undefined) {
      let base: URL;
      try {
        base = new URL(server);
      } catch {
        throw new UsageError(`--server must be an http(s) URL, got ${JSON.stringify(redact(server))}`);
      }
      if (base.protocol !== "http:" && base.protocol !== "https:") {
        throw new UsageError(`--server must be an http(s) URL, got ${JSON.stringify(redact(server))}`);
      }
      const r = await probeReadyz(base, cfg.health.check_timeout_ms, ctx.signal);
      ctx.out(
        ctx.globals.json
          ? JSON.stringify(redactValue(r.body ?? { status: "fail", summary: r.summary }))
          : r.summary,
      );
      return r.ok ? 0 : 1;
    }
    const sources = defaultSources(cfg, dataDir, ctx.env);
    let results: CheckResult[];
    try {
      results = await runChecks(HEALTH_CHECKS, {
        config: cfg,
        dataDir,
        now: new Date(),
        signal: ctx.signal,
        sources,
      });
    } finally {
      await sources.close().catch((err) => ctx.log.warn("closing the database failed", { err }));
    }
    const line = redact(summaryLine(results));
    if (ctx.globals.json) {
      ctx.out(JSON.stringify(redactValue({
        status: line === "OK" ? "ok" : "fail",
        summary: line,
        checks: results,
        last_error: lastErrorOf(results),
      })));
    } else {
      ctx.out(line);
    }
    return line === "OK" ? 0 : 1;
  },
};
