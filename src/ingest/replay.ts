import type { Config } from "../config/schema.ts";
import type { Logger } from "../log/logger.ts";
import { InputError, show } from "../util/errors.ts";
import type { Progress } from "../util/progress.ts";
import { createIngestPipeline, type IngestSummary } from "./pipeline.ts";
import type { ReplayVenue, VenueFeed } from "./ports.ts";
import { tierSinks } from "./tier_sinks.ts";

/**
 * Replaying a recording through exactly the live code path (the use case under `cryptorun ingest --replay`).
 * Pass 1 checks every frame before anything is written (the hot tier is append-only, so a bad line after a
 * partial write would leave snapshots that a re-run duplicates); nothing is held: pass 2 re-reads the file.
 * A dry run checks too, so that it accepts exactly the files a real run accepts.
 */

export interface ReplayIngestOptions<F extends VenueFeed = VenueFeed> {
  config: Config;
  dataDir: string;
  env: Record<string, string>;
  log: Logger;
  signal: AbortSignal;
  venue: ReplayVenue<F>;
  path: string;
  /** Cold-tier table of the closed 1-minute bars built from trades. */
  barsTable: string;
  /** At most one hot snapshot per symbol per this much exchange time. */
  hotIntervalMs: number;
  dryRun: boolean;
  /** A progress display per pass, over the file's `size` bytes (default: none). */
  progress?: (pass: "check" | "replay", size: number) => Progress;
}

export type ReplayOutcome =
  | { interrupted: true; frames: number }
  | {
    interrupted: false;
    frames: number;
    summary: IngestSummary;
    written: { hot: number; trades: number; bars: number };
  };

export async function runReplayIngest<F extends VenueFeed>(
  o: ReplayIngestOptions<F>,
): Promise<ReplayOutcome> {
  const { path, venue, signal } = o;
  let size = 0;
  try {
    size = (await Deno.stat(path)).size;
  } catch (err) {
    throw new InputError(`--replay ${show(path)}: cannot open (${(err as Error).name})`);
  }
  const none: Progress = { update() {}, increment() {}, setTotal() {}, stop() {} };
  const checking = o.progress?.("check", size) ?? none;
  let checked: number | undefined;
  try {
    checked = await venue.checkFile(path, {
      signal,
      onProgress: (b) => checking.update(Math.min(b, size)),
    });
  } finally {
    checking.stop();
  }
  if (checked === undefined) {
    o.log.warn("replay interrupted while checking the file; nothing written", { file: path });
    return { interrupted: true, frames: 0 };
  }
  const tiers = tierSinks(o.config, o.dataDir, {
    venue: venue.venue,
    barsTable: o.barsTable,
    dryRun: o.dryRun,
    env: o.env,
    log: o.log,
    signal,
  });
  const pipe = createIngestPipeline({
    venue: venue.venue,
    feed: venue.feed,
    hotIntervalMs: o.hotIntervalMs,
    sinks: tiers.sinks,
    live: false,
    log: o.log,
  });
  const progress = o.progress?.("replay", size) ?? none;
  let n = 0;
  try {
    for await (const f of venue.frames(path, signal)) {
      try {
        pipe.feed.handleFrame(f.text, f.recvMs);
      } catch (err) {
        if (venue.isBadFrame(err)) throw new InputError(`${path}:${f.line}: ${err.message}`);
        throw err;
      }
      if (++n % 2000 === 0) {
        progress.update(Math.min(f.end, size));
        await pipe.flush();
      }
    }
    if (signal.aborted) {
      o.log.warn("replay interrupted", { frames: n });
      await pipe.flush();
      return { interrupted: true, frames: n };
    }
    await pipe.finish();
  } finally {
    progress.stop();
    await tiers.close();
  }
  const w = pipe.written();
  o.log.info("replay done", {
    file: path,
    frames: n,
    hot_snapshots: w.hot,
    trades: w.trades,
    bars: w.bars,
    dry_run: o.dryRun,
  });
  return { interrupted: false, frames: n, summary: pipe.summary(), written: w };
}
