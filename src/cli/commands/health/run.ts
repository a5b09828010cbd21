import type { Handler } from "../../command.ts";
import type { CheckResult } from "../../../health/check.ts";
import { redact, redactValue } from "../../../log/redact.ts";
import { UsageError } from "../../../util/errors.ts";

/** The most recent error any component reported (from the components check), or null. */
export function lastErrorOf(results: CheckResult[]): unknown {
  return results.find((r) => r.name === "components")?.details?.last_error ?? null;
}

export const run: Handler = async (ctx, args) => {
  const cfg = await ctx.config(); // ConfigError → exit 2
  const dataDir = await ctx.dataDir();
  const server = args.values.server as string | undefined;
  if (server !== undefined && args.values["config-only"]) {
    throw new UsageError("--server and --config-only exclude each other");
  }
  if (args.values["config-only"]) {
    const { effectiveConfig, renderYaml } = await import("../../../config/effective.ts");
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
    const { probeReadyz } = await import("../../../health/remote.ts");
    const r = await probeReadyz(base, cfg.health.check_timeout_ms, ctx.signal);
    ctx.out(
      ctx.globals.json
        ? JSON.stringify(redactValue(r.body ?? { status: "fail", summary: r.summary }))
        : r.summary,
    );
    return r.ok ? 0 : 1;
  }
  const { runChecks, summaryLine } = await import("../../../health/check.ts");
  const { HEALTH_CHECKS } = await import("../../../health/registry.ts");
  const { defaultSources } = await import("../../../health/sources.ts");
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
};
