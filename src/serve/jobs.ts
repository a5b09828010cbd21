import type { Config } from "../config/schema.ts";
import type { Logger } from "../log/logger.ts";
import { runScanPipeline } from "../scan/pipeline.ts";
import { scanJson } from "../scan/render.ts";
import type { DbLease } from "../health/db_lease.ts";

/**
 * The real work `serve --with-ingest` / `--with-scan` schedule. Each returns the job's run function;
 * the scan job's result (the ranked candidates) is what /events streams.
 */
export interface JobContext {
  config: Config;
  dataDir: string;
  env: Record<string, string>;
  log: Logger;
  /** The embedded database allows one opener: a job that opens it holds this lease for its run. */
  dbLease: DbLease;
}

export type JobRun = (signal: AbortSignal) => Promise<unknown>;

/** Ingest (issue 6): one incremental pull of Kraken bars and books into the tiers. */
export function ingestJob(_ctx: JobContext): Promise<JobRun> {
  return Promise.reject(new Error("--with-ingest: the Kraken ingest entry point is not part of this build"));
}

/**
 * Scan (issue 8): one run of the real scan pipeline (cold tier → hot books → factors, regime, gates →
 * premove artifacts + envelopes); resolves with the same object `cryptorun scan --json` prints, which
 * /events streams as a `scan` event.
 */
export function scanJob(ctx: JobContext): Promise<JobRun> {
  return Promise.resolve(async (signal: AbortSignal) => {
    const release = await ctx.dbLease.acquire("the scan job", signal);
    let report;
    try {
      report = await runScanPipeline({
        config: ctx.config,
        dataDir: ctx.dataDir,
        env: ctx.env,
        log: ctx.log.child({ job: "scan" }),
        signal,
      });
    } finally {
      release();
    }
    return scanJson(report.output, { notes: report.notes, top: ctx.config.scan.top });
  });
}
