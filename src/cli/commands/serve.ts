import type { Command } from "../command.ts";
import { UsageError } from "../../util/errors.ts";
import { parseDuration } from "../../util/time.ts";
import { VERSION } from "../version.ts";
import { buildInfo, enableDefaultMetrics, registry, setSymbolLabelCap } from "../../metrics/registry.ts";
import { HEALTH_CHECKS } from "../../health/registry.ts";
import { defaultSources } from "../../health/sources.ts";
import { createDbLease } from "../../health/db_lease.ts";
import { writeComponentStatus } from "../../health/status_store.ts";
import { createEventHub } from "../../serve/events.ts";
import { createHandler } from "../../serve/handler.ts";
import { createReadiness } from "../../serve/readiness.ts";
import { createScheduler, type Job } from "../../serve/scheduler.ts";
import { isLoopback, parseListen, startServer } from "../../serve/server.ts";
import { ingestJob, scanJob } from "../../serve/jobs.ts";

function durationFlag(v: unknown, flag: string, fallback: string, minMs: number): number {
  const ms = parseDuration(typeof v === "string" ? v : fallback, flag);
  if (ms < minMs) throw new UsageError(`${flag}: must be at least ${minMs} ms, found ${JSON.stringify(v)}`);
  return ms;
}

export const serveCommand: Command = {
  name: "serve",
  summary: "long-running process: /metrics, /healthz, /readyz, /events; optional ingest/scan schedulers",
  help: `cryptorun serve — the process a deployment runs: Prometheus metrics, health probes, scan events

Usage: cryptorun serve [--listen HOST:PORT] [--with-ingest [--ingest-every 1m]]
                       [--with-scan [--scan-every 15m]]

Endpoints (GET or HEAD; anything else gets 405, unknown paths 404):
  /metrics   Prometheus text format: every cryptorun_* metric plus process/runtime metrics
  /healthz   liveness: 200 "ok" while the process serves requests
  /readyz    readiness: 200 "OK" or 503 "FAIL: <check>: <reason>" — config valid, database reachable
             (when persistence is enabled), data fresh, schedulers healthy; ?format=json for details
  /events    server-sent events: one "scan" event per finished scan (with --with-scan); reconnecting
             clients send Last-Event-ID and get what they missed (metrics.events_replay events)

Flags:
  --listen HOST:PORT   bind address (default metrics.listen = 127.0.0.1:9464; port 0 = any free port)
  --with-ingest        run the ingest job in this process every --ingest-every (default 1m)
  --with-scan          run the scan every --scan-every (default 15m, aligned to :00/:15/:30/:45 UTC)
                       and publish each result on /events
  --ingest-every D     ingest cadence, e.g. 30s, 1m, 5m (minimum 1s)
  --scan-every D       scan cadence, e.g. 5m, 15m, 1h (minimum 1s)

Both jobs run once at start, then on their cadence; a tick that comes while the previous run of the
same job is still going is skipped (cryptorun_scheduler_runs_total{outcome="skipped"}), never queued.
SIGINT/SIGTERM (Ctrl-C) stop gracefully: running jobs are aborted, event streams end, in-flight
requests finish, exit 0.

Pitfalls:
  - The endpoints have no authentication: keep the default loopback bind, or put a proxy in front when
    binding 0.0.0.0 (a warning is logged).
  - /readyz runs the same checks as 'cryptorun health' (cached for health.refresh_ms); stale recorded
    data makes it 503 by design: tune health.*_max_age_ms.
  - Port already in use → exit 1 naming the address.

Examples:
  cryptorun serve
  cryptorun serve --listen 127.0.0.1:9464 --with-ingest --with-scan
  cryptorun serve --with-scan --scan-every 5m --log-level debug
  curl -s 127.0.0.1:9464/metrics | grep cryptorun_scheduler
  curl -s '127.0.0.1:9464/readyz?format=json' | jq .checks
  curl -N 127.0.0.1:9464/events`,
  options: {
    listen: { type: "string" },
    "with-ingest": { type: "boolean" },
    "with-scan": { type: "boolean" },
    "ingest-every": { type: "string" },
    "scan-every": { type: "string" },
  },
  async run(ctx, args) {
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
    const ingestEvery = durationFlag(v["ingest-every"], "--ingest-every", "1m", 1000);
    const scanEvery = durationFlag(v["scan-every"], "--scan-every", "15m", 1000);
    const dataDir = await ctx.dataDir();
    const log = ctx.log.child({ cmd: "serve" });

    setSymbolLabelCap(cfg.metrics.max_symbol_labels);
    if (cfg.metrics.process_metrics) enableDefaultMetrics();
    buildInfo.set({ version: VERSION }, 1);

    const dbLease = createDbLease();
    const jobCtx = { config: cfg, dataDir, env: ctx.env, log, dbLease };
    const jobs: Job[] = [];
    if (v["with-ingest"]) {
      jobs.push({
        name: "ingest",
        everyMs: ingestEvery,
        run: await ingestJob(jobCtx),
        timeoutMs: Math.max(ingestEvery * 5, 60_000),
      });
    }
    if (v["with-scan"]) {
      jobs.push({
        name: "scan",
        everyMs: scanEvery,
        run: await scanJob(jobCtx),
        timeoutMs: Math.max(scanEvery * 2, 60_000),
      });
    }

    const sources = defaultSources(cfg, dataDir, ctx.env, { embeddedLease: dbLease });
    const events = createEventHub({
      stream: "scan",
      maxClients: cfg.metrics.events_max_clients,
      replay: cfg.metrics.events_replay,
      heartbeatMs: cfg.metrics.events_heartbeat_s * 1000,
    });
    const readiness = createReadiness({
      checks: HEALTH_CHECKS,
      input: (signal) => ({ config: cfg, dataDir, now: new Date(), signal, sources }),
      refreshMs: cfg.health.refresh_ms,
      log,
    });
    const scheduler = createScheduler({
      jobs,
      log,
      onRun: (job, outcome, st) => {
        if (job === "scan" && outcome === "ok") events.publish("scan", st.lastResult ?? null);
      },
      writeStatus: (s) => writeComponentStatus(dataDir, s),
    });

    const server = await startServer(
      listen,
      createHandler({ registry, readiness, events, log, version: VERSION, startedAt: Date.now() }),
      log,
    );
    if (!isLoopback(server.addr.hostname)) {
      log.warn("listening on a non-loopback address: the endpoints have no authentication", {
        addr: server.url,
      });
    }
    log.info("serving", { url: server.url, jobs: jobs.map((j) => `${j.name}/${j.everyMs / 1000}s`) });
    if (ctx.globals.json) ctx.out(JSON.stringify({ listening: server.url, jobs: jobs.map((j) => j.name) }));
    else ctx.out(`listening on ${server.url}`);

    readiness.start();
    scheduler.start();

    // Serve until Ctrl-C / SIGTERM (or the listener dies).
    await Promise.race([
      new Promise<void>((resolve) => {
        if (ctx.signal.aborted) resolve();
        else ctx.signal.addEventListener("abort", () => resolve(), { once: true });
      }),
      server.finished,
    ]);
    log.info("shutting down");
    await scheduler.stop();
    events.close();
    await server.shutdown();
    await readiness.stop();
    await sources.close().catch((err) => log.warn("closing the database failed", { err }));
    log.info("stopped");
    return 0;
  },
};
