import type { Command } from "../command.ts";
import { effectiveConfig, renderYaml } from "../../config/effective.ts";
import { runChecks, summaryLine } from "../../health/check.ts";
import { HEALTH_CHECKS } from "../../health/registry.ts";

export const healthCommand: Command = {
  name: "health",
  summary: "one-line OK / FAIL: <reason> for the whole system (--json for details)",
  help: `cryptorun health — is the system healthy, and if not, why

Usage: cryptorun health [--config-only] [--json]

Prints a single line, OK or FAIL: <reason>, and exits 0 (healthy) or 1 (not). The checks are listed in
docs/MONITORING.md. With --json it prints one object with every check's result.

Flags:
  --config-only   only validate the configuration and print the effective config (secrets redacted,
                  env overrides listed); exit 2 if it does not validate

Examples:
  cryptorun health
  cryptorun health --json | jq .checks
  cryptorun --config config/prod.yaml health --config-only
  CRYPTORUN_STREAM_KIND=redis cryptorun health --config-only --json`,
  options: {
    "config-only": { type: "boolean" },
  },
  async run(ctx, args) {
    const cfg = await ctx.config(); // ConfigError → exit 2
    const dataDir = await ctx.dataDir();
    if (args.values["config-only"]) {
      const eff = await effectiveConfig(cfg, ctx.overrides(), dataDir, ctx.env);
      ctx.out(ctx.globals.json ? JSON.stringify(eff) : renderYaml(eff));
      return 0;
    }
    const results = await runChecks(HEALTH_CHECKS, {
      config: cfg,
      dataDir,
      now: new Date(),
      signal: ctx.signal,
    });
    const line = summaryLine(results);
    if (ctx.globals.json) {
      ctx.out(JSON.stringify({ status: line === "OK" ? "ok" : "fail", summary: line, checks: results }));
    } else {
      ctx.out(line);
    }
    return line === "OK" ? 0 : 1;
  },
};
