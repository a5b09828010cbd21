import { isAbsolute, relative, resolve } from "node:path";
import type { ColdConfig } from "../../config/sections/cold.ts";
import { replicationLag as lagGauge } from "../../metrics/metrics.ts";
import { type ReplicateOptions, type ReplicateReport, replicateTable } from "./replicate.ts";
import { tableRoot } from "./table.ts";
import { readCurrent } from "./table_dir.ts";
import { resolveTables } from "./tables.ts";

/**
 * Replicates tables of the cold tier to another data directory (`cryptorun cold replicate`, serve's
 * `replicate` job): each table lands at the same path relative to the data dir, and the lag of each is
 * exported as cryptorun_replication_lag_seconds{tier="cold", region, source=<table>}.
 */

export interface ReplicaTarget {
  region: string;
  /** The replica's data directory. */
  path: string;
}

/** The replica root of a table: its path relative to the data dir, under the replica's data dir. */
export function replicaRootOf(tableRootAbs: string, dataDir: string, replicaDir: string): string {
  const rel = relative(resolve(dataDir), tableRootAbs);
  if (rel.startsWith("..") || isAbsolute(rel)) {
    // A table configured outside the data dir: by its last two path parts (cold/ohlcv).
    return resolve(replicaDir, ...tableRootAbs.split("/").slice(-2));
  }
  return resolve(replicaDir, rel);
}

export async function replicateTables(
  cfg: ColdConfig,
  dataDir: string,
  target: ReplicaTarget,
  tables: string[] | "all",
  o: ReplicateOptions = {},
): Promise<(ReplicateReport & { table: string })[]> {
  const defs = resolveTables(cfg);
  const names = tables === "all" ? [...defs.keys()] : tables;
  const out: (ReplicateReport & { table: string })[] = [];
  for (const name of names) {
    const def = defs.get(name)!;
    const root = tableRoot(def, dataDir);
    if (tables === "all" && !(await readCurrent(root).catch(() => null))) continue; // never written
    const r = await replicateTable(root, replicaRootOf(root, dataDir, target.path), o);
    lagGauge.set({ tier: "cold", region: target.region, source: name }, r.lagSeconds);
    out.push({ ...r, table: name });
  }
  return out;
}
