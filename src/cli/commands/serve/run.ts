import type { Handler } from "../../command.ts";
import { UsageError } from "../../../util/errors.ts";
import { DAY_MS, parseDuration } from "../../../util/time.ts";
import { VERSION } from "../../version.ts";
import { parseListen } from "../../../util/listen_addr.ts";

/** `cryptorun serve`: the flags; the process itself is src/serve/app.ts (loaded once the flags are valid). */

/** A cadence flag: 1 s .. 1 d (longer ones would overflow the job timeouts derived from them, see MAX_TIMER_MS). */
function durationFlag(v: unknown, flag: string, fallback: string): number {
  const ms = parseDuration(typeof v === "string" ? v : fallback, flag);
  if (ms < 1000 || ms > DAY_MS) {
    throw new UsageError(`${flag}: must be between 1s and 1d, found ${JSON.stringify(v)}`);
  }
  return ms;
}

export const run: Handler = async (ctx, args) => {
  const v = args.values;
  const cfg = await ctx.config();
  const listen = parseListen(
    typeof v.listen === "string" ? v.listen : cfg.metrics.listen,
    v.listen !== undefined ? "--listen" : "metrics.listen",
  );
  if (v["ingest-every"] !== undefined && !v["with-ingest"]) {
    throw new UsageError("--ingest-every needs --with-ingest");
  }
  if (v["scan-every"] !== undefined && !v["with-scan"]) {
    throw new UsageError("--scan-every needs --with-scan");
  }
  const ingestEvery = durationFlag(v["ingest-every"], "--ingest-every", "5m");
  const scanEvery = durationFlag(v["scan-every"], "--scan-every", "15m");
  const dataDir = await ctx.dataDir();
  const { runServe } = await import("../../../serve/app.ts");
  await runServe({
    config: cfg,
    dataDir,
    env: ctx.env,
    log: ctx.log,
    signal: ctx.signal,
    listen,
    version: VERSION,
    ingestEveryMs: v["with-ingest"] ? ingestEvery : undefined,
    scanEveryMs: v["with-scan"] ? scanEvery : undefined,
    onListening: (info) => {
      if (ctx.globals.json) {
        ctx.out(JSON.stringify({ listening: info.url, jobs: info.jobs, sessions: info.sessions }));
      } else ctx.out(`listening on ${info.url}`);
    },
  });
  return 0;
};
