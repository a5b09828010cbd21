import type { Config } from "../config/schema.ts";
import type { DoorMetrics } from "../data/door/door.ts";
import { openMarketDoor, regionHotPath } from "../data/door/open.ts";
import { createDbLease } from "../health/db_lease.ts";
import { HEALTH_CHECKS } from "../health/registry.ts";
import { defaultSources } from "../health/sources.ts";
import { writeComponentStatus } from "../health/status_store.ts";
import type { Logger } from "../log/logger.ts";
import { buildInfo, enableDefaultMetrics, registry, setSymbolLabelCap } from "../metrics/registry.ts";
import { createEventHub } from "./events.ts";
import { createHandler } from "./handler.ts";
import { booksSession, derivsJob, gapRepairJob, ingestJob, scanJob } from "./jobs.ts";
import { createReadiness } from "./readiness.ts";
import { createScheduler, type Job } from "./scheduler.ts";
import { isLoopback, type ListenAddr, startServer } from "./server.ts";
import { createSupervisor, type Supervisor } from "./supervisor.ts";
import { secretStatuses } from "../config/effective.ts";
import { startSecretRotation } from "../secrets/rotation.ts";

/**
 * The long-running process `cryptorun serve` runs: metrics, health probes, scan events, and the optional
 * ingest and scan schedulers (the CLI command only parses flags and calls `runServe`).
 */

export interface ServeOptions {
  config: Config;
  dataDir: string;
  env: Record<string, string>;
  log: Logger;
  /** Stops the process gracefully when aborted (SIGINT/SIGTERM). */
  signal: AbortSignal;
  listen: ListenAddr;
  /** The version for cryptorun_build_info and the handler. */
  version: string;
  /** Run the hourly-bar ingest job at this cadence and the continuous book session (absent: no ingest). */
  ingestEveryMs?: number;
  /** Run the scan at this cadence and publish each result on /events (absent: no scan). */
  scanEveryMs?: number;
  /** Called once the server listens. */
  onListening?(info: { url: string; jobs: string[]; sessions: string[] }): void;
  /** Replaces some of the data door's metrics (tests: an emitter taken out). */
  doorMetrics?: Partial<DoorMetrics>;
}

/** Serves until `signal` aborts (or the listener dies), then shuts everything down; resolves when stopped. */
export async function runServe(o: ServeOptions): Promise<void> {
  const { config: cfg, dataDir } = o;
  const log = o.log.child({ cmd: "serve" });

  setSymbolLabelCap(cfg.metrics.max_symbol_labels);
  if (cfg.metrics.process_metrics) enableDefaultMetrics();
  buildInfo.set({ version: o.version }, 1);

  const dbLease = createDbLease();
  // One data door for the process: the scan job reads through it, so its per-tier hit ratios span runs.
  const door = openMarketDoor(cfg, dataDir, o.env, { log, metrics: o.doorMetrics });
  const jobCtx = { config: cfg, dataDir, env: o.env, log, dbLease, door };
  const jobs: Job[] = [];
  if (o.ingestEveryMs !== undefined) {
    jobs.push({
      name: "ingest",
      everyMs: o.ingestEveryMs,
      run: await ingestJob(jobCtx),
      timeoutMs: Math.max(o.ingestEveryMs * 5, 60_000),
    });
    // The 1-minute bars' holes (after a restart or an outage) are refilled from Trades at the same cadence.
    jobs.push({
      name: "gap_repair",
      everyMs: o.ingestEveryMs,
      run: gapRepairJob(jobCtx),
      timeoutMs: Math.max(o.ingestEveryMs * 5, 60_000),
    });
  }
  if (o.ingestEveryMs !== undefined && cfg.derivs.ingest_symbols.length > 0) {
    jobs.push({
      name: "derivs",
      everyMs: o.ingestEveryMs,
      run: await derivsJob(jobCtx),
      timeoutMs: Math.max(o.ingestEveryMs * 5, 60_000),
    });
  }
  if (o.scanEveryMs !== undefined) {
    jobs.push({
      name: "scan",
      everyMs: o.scanEveryMs,
      run: await scanJob(jobCtx),
      timeoutMs: Math.max(o.scanEveryMs * 2, 60_000),
    });
  }

  if (cfg.regions.replicate_to.length > 0) {
    // Cold-tier replication (issue 17): every table with a snapshot, to each replica, on a schedule.
    const everyMs = cfg.regions.replicate_every_s * 1000;
    jobs.push({
      name: "replicate",
      everyMs,
      run: async (signal) => {
        const { replicateTables } = await import("../data/cold/replicate_all.ts");
        const out = [];
        for (const target of cfg.regions.replicate_to) {
          out.push(...await replicateTables(cfg.cold, dataDir, target, "all", { signal }));
        }
        return { tables: out.length, copied: out.reduce((a, r) => a + r.copied, 0) };
      },
      timeoutMs: Math.max(everyMs * 5, 600_000),
    });
  }

  const sources = defaultSources(cfg, dataDir, o.env, { embeddedLease: dbLease });
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
  const supervisors: Supervisor[] = [];
  if (o.ingestEveryMs !== undefined) {
    // Multi-region (issue 17): the hot tier is active-active — one verified book session per region, the
    // leader's into tiers.hot_path, each other region's into <hot_path>/regions/<name> (the data door serves
    // the freshest, worst-feed-wins). Followers write no trades (the leader's session does).
    for (const session of regionBookSessions(cfg)) {
      supervisors.push(createSupervisor({
        name: session.name,
        session: booksSession({ ...jobCtx, config: session.config }),
        log,
        capMs: 60_000,
        writeStatus: (s) => writeComponentStatus(dataDir, s),
      }));
    }
  }
  const scheduler = createScheduler({
    jobs,
    log,
    onRun: (job, outcome, st) => {
      if (job === "scan" && outcome === "ok") events.publish("scan", st.lastResult ?? null);
    },
    writeStatus: (s) => writeComponentStatus(dataDir, s),
  });

  const server = await startServer(
    o.listen,
    createHandler({ registry, readiness, events, log, version: o.version, startedAt: Date.now() }),
    log,
    {
      maxConnections: cfg.metrics.http_max_connections,
      headerTimeoutMs: cfg.metrics.http_header_timeout_ms,
      idleTimeoutMs: cfg.metrics.http_idle_timeout_ms,
      writeTimeoutMs: cfg.metrics.http_write_timeout_ms,
    },
  );
  if (!isLoopback(server.addr.hostname)) {
    log.warn("listening on a non-loopback address: the endpoints have no authentication", {
      addr: server.url,
    });
  }
  log.info("serving", {
    url: server.url,
    jobs: jobs.map((j) => `${j.name}/${j.everyMs / 1000}s`),
    sessions: supervisors.map((x) => x.state().name),
  });
  o.onListening?.({
    url: server.url,
    jobs: jobs.map((j) => j.name),
    sessions: supervisors.map((x) => x.state().name),
  });

  // Every configured secret is read (and registered with the redactor) now; SIGHUP or a change of a secret
  // file reads them again (src/secrets/rotation.ts).
  await secretStatuses(o.config, o.env);
  const rotation = new AbortController();
  const rotating = startSecretRotation({ signal: rotation.signal, log });
  readiness.start();
  scheduler.start();
  for (const sup of supervisors) sup.start();

  // Serve until Ctrl-C / SIGTERM (or the listener dies).
  await Promise.race([
    new Promise<void>((resolve) => {
      if (o.signal.aborted) resolve();
      else o.signal.addEventListener("abort", () => resolve(), { once: true });
    }),
    server.finished,
  ]);
  log.info("shutting down");
  rotation.abort();
  await rotating.stopped;
  await Promise.all([scheduler.stop(), ...supervisors.map((x) => x.stop())]);
  events.close();
  await server.shutdown();
  await readiness.stop();
  await sources.close().catch((err) => log.warn("closing the database failed", { err }));
  await door.close().catch((err) => log.warn("closing the data door failed", { err }));
  log.info("stopped");
}

/** The book sessions `serve --with-ingest` runs: one (kraken_books), or one per region with ≥ 2 regions. */
export function regionBookSessions(cfg: Config): { name: string; config: Config }[] {
  const r = cfg.regions;
  if (r.list.length < 2) return [{ name: "kraken_books", config: cfg }];
  const leader = r.leader ?? r.list[0].name;
  return r.list.map((region) => {
    const isLeader = region.name === leader;
    return {
      name: `kraken_books_${region.name}`,
      config: {
        ...cfg,
        kraken: { ...cfg.kraken, ws_url: region.ws_url ?? cfg.kraken.ws_url },
        tiers: isLeader
          ? cfg.tiers
          : { ...cfg.tiers, hot_path: regionHotPath(cfg.tiers.hot_path, region.name) },
        persistence: isLeader ? cfg.persistence : { ...cfg.persistence, enabled: false },
      },
    };
  });
}
