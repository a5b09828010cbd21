/**
 * Active-passive failover of bar ingest between regions (issue 17, spec A3.1; pure, no I/O). Each region runs
 * its own feed (its own Kraken endpoints); one region — the writer — writes bars to the cold tier. The rules:
 *  - a region's feed is ALIVE when it answered within `failoverAfterMs`; before its first answer, the
 *    time since the start counts as silence;
 *  - the writer stays the writer while its feed is alive (no failback while it is healthy: no flapping);
 *  - when the writer's feed has been silent for more than `failoverAfterMs`, the first ALIVE region after it in
 *    the configured order takes over (wrapping around, so the old leader can take back over later);
 *  - with no alive region, the writer stays (nobody has anything better).
 * The new writer backfills from its REST endpoint everything after the cold tier's newest bar, so the cold
 * tier has no hole (src/ingest/multi_region.ts).
 */

export interface FailoverInput {
  /** Regions in failover order (regions.list). */
  order: readonly string[];
  /** The current writer. */
  active: string;
  /** When each region's feed last answered (epoch ms), null: never. */
  lastOkAt: ReadonlyMap<string, number | null>;
  /** When ingest started (silence before a first answer counts from here). */
  startedAt: number;
  now: number;
  failoverAfterMs: number;
}

export interface Takeover {
  from: string;
  to: string;
  /** How long the old writer had been silent. */
  silentForMs: number;
}

export interface FailoverDecision {
  active: string;
  takeover: Takeover | null;
}

export function silentForMs(
  i: Pick<FailoverInput, "lastOkAt" | "startedAt" | "now">,
  region: string,
): number {
  return i.now - (i.lastOkAt.get(region) ?? i.startedAt);
}

export function isAlive(
  i: Pick<FailoverInput, "lastOkAt" | "now" | "failoverAfterMs">,
  region: string,
): boolean {
  const t = i.lastOkAt.get(region);
  return t !== null && t !== undefined && i.now - t <= i.failoverAfterMs;
}

export function decideWriter(i: FailoverInput): FailoverDecision {
  const silent = silentForMs(i, i.active);
  if (silent <= i.failoverAfterMs) return { active: i.active, takeover: null };
  const at = i.order.indexOf(i.active);
  for (let k = 1; k < i.order.length; k++) {
    const r = i.order[(at + k) % i.order.length];
    if (r !== i.active && isAlive(i, r)) {
      return { active: r, takeover: { from: i.active, to: r, silentForMs: silent } };
    }
  }
  return { active: i.active, takeover: null };
}

/**
 * What the cold tier lacks vs the freshest region (s): per symbol, the newest bar any region has seen minus
 * the newest bar written; the largest over symbols. A symbol seen but never written lacks everything
 * (Infinity); 0 when the writer is up to date.
 */
export function writerLagSeconds(
  seen: ReadonlyMap<string, number>,
  written: ReadonlyMap<string, number>,
): number {
  let lag = 0;
  for (const [symbol, ts] of seen) {
    const w = written.get(symbol);
    if (w === undefined) return Infinity;
    lag = Math.max(lag, (ts - w) / 1000);
  }
  return lag;
}
