import { join } from "node:path";
import { z } from "zod";
import { atomicWriteFile } from "../util/atomic_write.ts";
import { InputError } from "../util/errors.ts";
import { readStateFile } from "../util/state_file.ts";

/**
 * Known gaps: runs of minutes a venue confirmed without any trade (an exchange outage, or no trading), per
 * table and symbol, at <data-dir>/backfill/known_gaps/<table>/<BASE-QUOTE>.json. A backfill records the
 * empty minutes of every range it committed; `cold gaps` marks a hole covered by them as known and
 * `backfill --gaps` does not ask the venue for it again. Runs are inclusive [from, to] minute opens (ms).
 */

export interface Run {
  from: number;
  to: number;
}

const FileSchema = z.strictObject({
  version: z.literal(1),
  table: z.string(),
  symbol: z.string(),
  step_ms: z.number().int().positive(),
  runs: z.array(z.tuple([z.number().int(), z.number().int()])),
});

/** Sorted, overlapping or adjacent runs (at `step`) merged. Pure. */
export function mergeRuns(runs: readonly Run[], step: number): Run[] {
  const s = [...runs].filter((r) => r.to >= r.from).sort((a, b) => a.from - b.from);
  const out: Run[] = [];
  for (const r of s) {
    const last = out[out.length - 1];
    if (last && r.from <= last.to + step) last.to = Math.max(last.to, r.to);
    else out.push({ ...r });
  }
  return out;
}

/** The parts of `runs` not covered by `known` (both merged). Pure. */
export function subtractRuns(runs: readonly Run[], known: readonly Run[], step: number): Run[] {
  const out: Run[] = [];
  const k = mergeRuns(known, step);
  for (const r of mergeRuns(runs, step)) {
    let from = r.from;
    for (const g of k) {
      if (g.to < from || g.from > r.to) continue;
      if (g.from > from) out.push({ from, to: g.from - step });
      from = g.to + step;
      if (from > r.to) break;
    }
    if (from <= r.to) out.push({ from, to: r.to });
  }
  return out;
}

/** True when every minute of `run` is known empty. Pure. */
export function coveredBy(run: Run, known: readonly Run[], step: number): boolean {
  return subtractRuns([run], known, step).length === 0;
}

export function knownGapsPath(dataDir: string, table: string, symbol: string): string {
  return join(dataDir, "backfill", "known_gaps", table, `${symbol.replace("/", "-")}.json`);
}

export async function readKnownGaps(dataDir: string, table: string, symbol: string): Promise<Run[]> {
  const path = knownGapsPath(dataDir, table, symbol);
  const s = await readStateFile(path, FileSchema);
  if (s.status === "missing") return [];
  if (s.status === "invalid") throw new InputError(`known gaps ${path}: ${s.reason}`);
  return s.value.runs.map(([from, to]) => ({ from, to }));
}

/** Adds runs (atomically rewrites the symbol's file). */
export async function addKnownGaps(
  dataDir: string,
  table: string,
  symbol: string,
  runs: readonly Run[],
  step = 60_000,
): Promise<void> {
  if (runs.length === 0) return;
  const merged = mergeRuns([...(await readKnownGaps(dataDir, table, symbol)), ...runs], step);
  const body = { version: 1, table, symbol, step_ms: step, runs: merged.map((r) => [r.from, r.to]) };
  await atomicWriteFile(knownGapsPath(dataDir, table, symbol), JSON.stringify(body) + "\n");
}

type SeriesOf<R extends { series: unknown[] }> = R["series"][number];
type RunOf<S extends { runs: unknown[] }> = S["runs"][number];
export type KnownAnnotated<R extends { series: { runs: unknown[] }[] }> = Omit<R, "series"> & {
  series: (SeriesOf<R> & { known_missing?: number; runs: (RunOf<SeriesOf<R>> & { known?: true })[] })[];
};

/**
 * Marks the holes of a `cold gaps` report that are known gaps (every missing bar confirmed empty by the
 * venue): `known: true` on such a run, `known_missing` on a series that has any (absent otherwise, so a
 * table without known gaps reports as before). Series of a wider key than (ts, symbol) have no known gaps.
 * Mutates and returns the report.
 */
export async function annotateKnownGaps<
  R extends {
    table: string;
    series: {
      series: string;
      intervalMs: number | null;
      runs: { from: number; to: number; missing: number; known?: boolean }[];
      known_missing?: number;
    }[];
  },
>(report: R, dataDir: string): Promise<KnownAnnotated<R>> {
  for (const s of report.series) {
    const known = s.series.includes(" ") ? [] : await readKnownGaps(dataDir, report.table, s.series);
    if (known.length === 0 || s.intervalMs !== 60_000) continue;
    let n = 0;
    for (const r of s.runs) {
      if (!coveredBy(r, known, 60_000)) continue;
      r.known = true;
      n += r.missing;
    }
    if (n > 0) s.known_missing = n;
  }
  return report as KnownAnnotated<R>;
}
