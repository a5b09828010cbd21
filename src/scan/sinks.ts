import type { Config } from "../config/schema.ts";
import { openPersistence } from "../persistence/open.ts";
import { premoveArtifact } from "../premove/artifact.ts";
import { roundedWeights } from "../regime/weights.ts";
import { makeEnvelope } from "../stream/envelope.ts";
import { newProducer } from "../stream/producer.ts";
import type { Logger } from "../log/logger.ts";
import type { ScanOutput } from "./engine.ts";
import { resultJson } from "./render.ts";

export interface SinkReport {
  regimeStored: boolean;
  premoveStored: number;
  published: number;
  /** Why a sink did not run (disabled in config, --dry-run, missing regime inputs…). */
  skipped: string[];
  /**
   * Sinks that failed (database or broker unreachable…), one line each. The ranking is computed and returned
   * all the same: the caller shows it and reports these separately (non-zero exit).
   */
  failed: string[];
}

/**
 * Runs one sink; a failure is recorded in `rep.failed` (naming the sink and where it writes — host:port only,
 * the message is redacted at the top level) instead of discarding the computed ranking. Aborts still throw.
 */
export async function runSink(
  what: string,
  rep: SinkReport,
  signal: AbortSignal,
  sink: () => Promise<void>,
): Promise<void> {
  try {
    await sink();
  } catch (err) {
    if (signal.aborted) throw err;
    rep.failed.push(`${what}: ${(err as Error).message ?? err}`);
  }
}

interface SinkDeps {
  dataDir: string;
  env: Record<string, string>;
  log: Logger;
  signal: AbortSignal;
}

/** Stores the regime snapshot (when it changed) and one premove artifact per result. */
export async function persistResults(
  cfg: Config,
  deps: SinkDeps,
  out: ScanOutput,
  rep: SinkReport,
): Promise<void> {
  if (!cfg.persistence.enabled) return void rep.skipped.push("persistence.enabled is false: nothing stored");
  if (!cfg.scan.persist && !cfg.regime.persist) {
    return void rep.skipped.push("scan.persist and regime.persist are false: nothing stored");
  }
  const db = await openPersistence(cfg.persistence, deps.dataDir, deps.env, { log: deps.log });
  try {
    if (cfg.regime.persist) {
      const r = out.regime;
      const inputs = [r.inputs.realized_vol_7d, r.inputs.pct_above_20ma, r.inputs.breadth_thrust];
      if (!inputs.every(Number.isFinite)) {
        rep.skipped.push("regime snapshot not stored: an input had no data (n/a)");
      } else {
        const weights = roundedWeights(r.weights);
        const prev = await db.regime.latest(new Date(r.boundary), { signal: deps.signal });
        // Compare key by key (JSONB does not keep key order).
        const changed = !prev || prev.regime !== r.name ||
          Object.keys(weights).length !== Object.keys(prev.weights).length ||
          Object.entries(weights).some(([k, v]) =>
            Math.abs((prev.weights[k] ?? NaN) - v) > 1e-9 || !(k in prev.weights)
          );
        if (changed) {
          await db.regime.upsert({
            ts: new Date(r.boundary),
            realized_vol_7d: r.inputs.realized_vol_7d,
            pct_above_20ma: r.inputs.pct_above_20ma,
            breadth_thrust: r.inputs.breadth_thrust,
            regime: r.name,
            weights,
          }, { signal: deps.signal });
          rep.regimeStored = true;
        }
      }
    }
    if (cfg.scan.persist) {
      for (const row of out.results) {
        const j = resultJson(row);
        await db.premove.upsert(
          premoveArtifact(out.asOf, row, out.regime.name, { contributions: j.contributions, gates: j.gates }),
          { signal: deps.signal },
        );
        rep.premoveStored++;
      }
    }
  } finally {
    await db.close();
  }
}

/** Publishes one envelope per result on scan.topic. */
export async function publishResults(
  cfg: Config,
  deps: SinkDeps,
  out: ScanOutput,
  rep: SinkReport,
): Promise<void> {
  if (!cfg.stream.enabled) return void rep.skipped.push("stream.enabled is false: nothing published");
  if (!cfg.scan.publish) return void rep.skipped.push("scan.publish is false: nothing published");
  if (out.results.length === 0) return;
  const envelopes = out.results.map((row) =>
    makeEnvelope({
      ts: out.asOf,
      symbol: row.symbol,
      source: `cryptorun.scan`,
      payload: { as_of: new Date(out.asOf).toISOString(), regime: out.regime.name, ...resultJson(row) },
    })
  );
  const producer = await newProducer(cfg.stream, deps.dataDir, deps.env);
  try {
    await producer.send(cfg.scan.topic, envelopes, deps.signal);
    rep.published = envelopes.length;
  } finally {
    await producer.close();
  }
}
