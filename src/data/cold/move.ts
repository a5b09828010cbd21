import { join } from "node:path";
import { atomicWriteFile } from "../../util/atomic_write.ts";
import { InputError, show } from "../../util/errors.ts";
import { failpoint } from "../../util/failpoint.ts";
import { isoMs } from "../../util/time.ts";
import { type Batch, BatchBuilder, keyString, type RowInput, rowKeyString } from "./batch.ts";
import { beginTransaction, type TransactionOptions } from "./commit.ts";
import { dtOf } from "./layout.ts";
import { type TableLock, withTableLock } from "./lock.ts";
import { filePath, type ManifestFile } from "./manifest.ts";
import { fieldOf, valueColumns } from "./schema.ts";
import type { TableCore } from "./table.ts";
import { readCurrent, removeIfExists, syncDir } from "./table_dir.ts";
import { journalDir, type MoveEnv, type MoveJournal, pendingMoves } from "./move_journal.ts";

export { type MoveEnv, type MoveJournal, pendingMoves } from "./move_journal.ts";
import { readBase } from "./table_state.ts";
import { commitRows, encoderFor, lockOptions, type MaintenanceOptions, txnOptions } from "./table_write.ts";
import type { TimeRange } from "./types.ts";
import { upgradeLegacy } from "./upgrade.ts";
import { overlaps, stagePart } from "./writer.ts";

/**
 * Moving rows between two tables (issue 17: a table and its quarantine, both ways) and deleting rows — each
 * table changes by its own snapshot commit, so a move is two commits: first the rows are ADDED to the target,
 * then REMOVED from the source. Never the other way round: a crash can leave a row in both tables for a
 * moment, never in neither.
 *
 * Crash safety: under both tables' writer locks (taken in path order, so two movers never deadlock), the
 * move is first written to a journal (`<data-dir>/cold/_moves/<id>.json`: source, target, the keys and the
 * values the target adds), fsynced; then the two commits; then the journal is deleted. Both commits are
 * idempotent by key — a key already in the target with the same values (the columns copied from the source)
 * counts as moved, a key no longer in the source is not removed twice — so a journal left by a crash (kill
 * -9 between the commits, or anywhere else) is completed by re-running it: the next move involving either
 * table does that first, and `completeMoves()` does it on demand. A re-run of the same request converges to
 * the same tables as an uninterrupted run.
 */

export interface MoveResult {
  kind: "move" | "delete";
  from: string;
  to: string | null;
  /** Rows removed from `from` by this call (and, for a move, present in `to`). */
  moved: number;
  /** Keys no longer in `from` (a re-run): already in `to` (moves) or already gone (deletes: not an error). */
  alreadyMoved: number;
  /** Keys in neither table (completing an interrupted move only: a fresh move with any is an error). */
  missing: number;
  toSnapshot: number | null;
  fromSnapshot: number | null;
  /** Interrupted moves this call completed first (journal ids). */
  completed: string[];
}

const journalPath = (env: MoveEnv, j: MoveJournal) => join(journalDir(env), `${j.id}.json`);

/** "2025-06-01T04:00:00.000Z BTC/USD (ts=…)": a row's key for messages. */
function showRowKey(r: RowInput, key: readonly string[]): string {
  return `${isoMs(r.ts as number)} ${key.slice(1).map((c) => r[c]).join(" ")} (ts=${r.ts})`;
}

/** Runs `fn` holding the writer locks of the given tables, taken in the order of their directories. */
async function withLocks<T>(
  tables: TableCore[],
  o: MaintenanceOptions,
  fn: (locks: Map<string, TableLock>) => Promise<T>,
): Promise<T> {
  const sorted = [...new Map(tables.map((t) => [t.root, t])).values()].sort((a, b) =>
    a.root < b.root ? -1 : a.root > b.root ? 1 : 0
  );
  const locks = new Map<string, TableLock>();
  const take = async (i: number): Promise<T> => {
    if (i === sorted.length) return await fn(locks);
    const t = sorted[i];
    return await withTableLock(t.root, lockOptions(t, o), async (lock) => {
      await upgradeLegacy(t.root, lock, { ...txnOptions(t, o), schema: t.def.schema });
      locks.set(t.def.name, lock);
      return await take(i + 1);
    });
  };
  return await take(0);
}

/** The tables a journal touches. */
const tablesOf = (j: MoveJournal) => (j.to === null ? [j.from] : [j.from, j.to]);

/**
 * Checks the request (tables compatible, keys well-formed) and builds the target's row for a source row:
 * copied columns from the source, the target's own columns from the key record (null when not given).
 */
function planMove(from: TableCore, to: TableCore | null, keys: readonly RowInput[]) {
  const src = from.def.schema;
  const key = src.key;
  if (to) {
    const dst = to.def.schema;
    if (dst.key.join(",") !== key.join(",")) {
      throw new InputError(
        `move ${from.def.name} → ${to.def.name}: the tables are keyed differently (${key.join(",")} vs ${
          dst.key.join(",")
        })`,
      );
    }
    for (const f of dst.fields) {
      const s = fieldOf(src, f.name);
      if (s && s.type !== f.type) {
        throw new InputError(
          `move ${from.def.name} → ${to.def.name}: column ${f.name} is ${s.type} in one and ${f.type} in the other`,
        );
      }
    }
  }
  const dstFields = to ? to.def.schema.fields : [];
  const own = dstFields.filter((f) => !fieldOf(src, f.name)).map((f) => f.name);
  for (const [i, k] of keys.entries()) {
    for (const c of key) {
      const v = k[c];
      const ok = c === "ts"
        ? typeof v === "number" && Number.isSafeInteger(v)
        : typeof v === "string" && v !== "";
      if (!ok) throw new InputError(`keys[${i}].${c}: expected the key value, found ${show(v)}`);
    }
    for (const c of Object.keys(k)) {
      if (key.includes(c) || own.includes(c)) continue;
      throw new InputError(
        `keys[${i}].${c}: ${
          fieldOf(src, c) ? `the source's ${c} is copied, not given` : `not a column the target adds`
        } (the target adds: ${own.join(",") || "nothing"})`,
      );
    }
  }
  /** Columns copied from the source: what "already moved" compares. */
  const copied = to ? valueColumns(to.def.schema).filter((c) => fieldOf(src, c)) : [];
  const targetRow = (b: Batch, i: number, k: RowInput): RowInput => {
    const r: RowInput = {};
    for (const f of dstFields) r[f.name] = fieldOf(src, f.name) ? b.cols[f.name][i] : k[f.name] ?? null;
    return r;
  };
  return { copied, targetRow };
}

/** The files of a table's base that may hold any of the keys (by day and ts range). */
function filesWithKeys(files: ManifestFile[], keys: readonly RowInput[]): Map<ManifestFile, TimeRange> {
  const byDt = new Map<string, { from: number; to: number }>();
  for (const k of keys) {
    const ts = k.ts as number;
    const dt = dtOf(ts);
    const r = byDt.get(dt);
    if (!r) byDt.set(dt, { from: ts, to: ts });
    else {
      r.from = Math.min(r.from, ts);
      r.to = Math.max(r.to, ts);
    }
  }
  const out = new Map<ManifestFile, TimeRange>();
  for (const f of files) {
    const r = byDt.get(f.dt);
    if (r && overlaps(f, r)) out.set(f, r);
  }
  return out;
}

/**
 * The keys of `index` the table holds, and (with `withValues`) their rows with every column, read from the
 * files of its current snapshot that may hold them.
 */
async function findRows(t: TableCore, index: Map<string, RowInput>, withValues: boolean) {
  const base = await readBase(t.root, t.def.name, { validate: true });
  const found = new BatchBuilder(t.def.schema);
  const foundKeys: string[] = [];
  const key = t.def.schema.key;
  for (const [f, range] of filesWithKeys(base?.manifest.files ?? [], [...index.values()])) {
    for await (const b of t.readFile(filePath(base!.dir, f), f, range, withValues)) {
      for (let i = 0; i < b.length; i++) {
        const k = keyString(b, i, key);
        if (!index.has(k)) continue;
        if (withValues) found.pushFrom(b, i);
        foundKeys.push(k);
      }
    }
  }
  return { found: found.buildSorted(), foundKeys };
}

/** Removes the rows with these keys from the table: each file holding one is rewritten without them. */
async function removeRows(
  t: TableCore,
  lock: TableLock,
  txo: TransactionOptions,
  index: Map<string, RowInput>,
  operation: "move" | "delete",
): Promise<{ removed: number; snapshot: number | null }> {
  const txn = await beginTransaction(t.root, lock, txo);
  const key = t.def.schema.key;
  let removed = 0;
  try {
    for (const f of filesWithKeys(txn.base?.manifest.files ?? [], [...index.values()]).keys()) {
      const keep = new BatchBuilder(t.def.schema);
      let dropped = 0;
      for await (const b of t.readFile(txn.basePath(f), f, { from: -8.64e15, to: 8.64e15 }, true)) {
        for (let i = 0; i < b.length; i++) {
          if (index.has(keyString(b, i, key))) dropped++;
          else keep.pushFrom(b, i);
        }
      }
      if (dropped === 0) continue;
      removed += dropped;
      txn.remove(f);
      if (keep.length > 0) await stagePart(txn, encoderFor(t, f.format, {}), f.dt, keep.buildSorted());
    }
    const m = await txn.commit(operation);
    return { removed, snapshot: m?.version ?? null };
  } catch (err) {
    await txn.abort();
    throw err;
  }
}

/**
 * One move (or delete) under the locks of its tables: `fresh` for a new request (keys in neither table are
 * an error, before anything is written; the journal is written first), else the completion of a journal.
 */
async function runMove(
  env: MoveEnv,
  j: MoveJournal,
  locks: Map<string, TableLock>,
  o: MaintenanceOptions,
  fresh: boolean,
): Promise<Omit<MoveResult, "completed">> {
  const from = env.core(j.from);
  const to = j.to === null ? null : env.core(j.to);
  const key = from.def.schema.key;
  const plan = planMove(from, to, j.keys);
  const index = new Map<string, RowInput>();
  for (const k of j.keys) index.set(rowKeyString(k, key), k);
  // Where each key is now: still in the source, already in the target, or nowhere.
  const src = await findRows(from, index, true);
  const inSource = new Set(src.foundKeys);
  const rest = new Map([...index].filter(([k]) => !inSource.has(k)));
  const targetKeys = to && rest.size > 0 ? new Set((await findRows(to, rest, false)).foundKeys) : new Set();
  const inTarget = targetKeys.size;
  const missingKeys = to ? [...rest].filter(([k]) => !targetKeys.has(k)).map(([, v]) => v) : [];
  const missing = missingKeys.length;
  if (fresh && missing > 0) {
    const first = missingKeys[0];
    throw new InputError(
      `move ${j.from} → ${j.to}: ${missing} key(s) are in neither table, e.g. ${showRowKey(first, key)}; ` +
        `nothing moved`,
    );
  }
  // The target's rows, checked by the target's rules before anything is written (a row the table refuses
  // cannot be released into it).
  const rows: RowInput[] = [];
  const b = src.found;
  for (let i = 0; i < b.length; i++) rows.push(plan.targetRow(b, i, index.get(keyString(b, i, key))!));
  if (to) {
    for (const row of rows) {
      const p = to.def.check(row as Record<string, unknown>);
      if (p) {
        throw new InputError(
          `move ${j.from} → ${j.to}: ${showRowKey(row, key)}: ${p.message}; table ${j.to} refuses the row` +
            (fresh ? "; nothing moved" : `; the interrupted move ${journalPath(env, j)} cannot complete`),
        );
      }
    }
  }
  const path = journalPath(env, j);
  if (fresh) {
    await atomicWriteFile(path, JSON.stringify(j) + "\n");
    await syncDir(journalDir(env));
    await failpoint("cold.move_journaled");
  }
  let toSnapshot: number | null = null;
  if (to && rows.length > 0) {
    // Commit 1: add to the target (rows already there with the same copied values count as stored).
    const before = (await readCurrent(to.root))?.version ?? null;
    try {
      const w = await commitRows(to, locks.get(to.def.name)!, txnOptions(to, o), rows, {
        compare: plan.copied,
        format: to.def.format,
      }, "move");
      toSnapshot = w.snapshot;
    } catch (err) {
      // Refused before its commit point (a conflict in the target…): nothing happened, no journal stays.
      if (fresh && ((await readCurrent(to.root).catch(() => undefined))?.version ?? null) === before) {
        if (await removeIfExists(path)) await syncDir(journalDir(env));
      } else if (!fresh && err instanceof InputError) {
        err.message += `; the interrupted move ${path} cannot complete until this is resolved`;
      }
      throw err;
    }
    await failpoint("cold.move_target_committed");
  }
  // Commit 2: remove from the source.
  const r = inSource.size > 0
    ? await removeRows(from, locks.get(from.def.name)!, txnOptions(from, o), index, j.kind)
    : { removed: 0, snapshot: null };
  await failpoint("cold.move_source_committed");
  if (await removeIfExists(path)) await syncDir(journalDir(env));
  return {
    kind: j.kind,
    from: j.from,
    to: j.to,
    moved: r.removed,
    alreadyMoved: to ? inTarget : rest.size,
    missing,
    toSnapshot,
    fromSnapshot: r.snapshot,
  };
}

/**
 * Completes the interrupted moves that touch any of `tables` (all when omitted), each under its own tables'
 * locks. Returns the ids completed.
 */
export async function completeMoves(
  env: MoveEnv,
  o: MaintenanceOptions = {},
  tables?: ReadonlySet<string>,
): Promise<string[]> {
  const done: string[] = [];
  for (const j of await pendingMoves(env)) {
    if (tables && !tablesOf(j).some((n) => tables.has(n))) continue;
    const cores = tablesOf(j).map((n) => env.core(n));
    const finished = await withLocks(cores, o, async (locks) => {
      // Completed by someone else while we waited for the locks?
      if (!(await pendingMoves(env)).some((p) => p.id === j.id)) return false;
      await runMove(env, j, locks, o, false);
      return true;
    });
    if (finished) done.push(j.id);
  }
  return done;
}

/**
 * Moves the rows with these keys from table `from` to table `to` (crash-safe, see above), or deletes them
 * (`to` null). `keys`: one record per row with the key columns (ts, symbol[, …]) and, for a move, values
 * of the columns the target has and the source lacks (a quarantine's check, score, detected_at); the other
 * columns are copied from the source, columns the target lacks are dropped.
 */
export async function moveRows(
  env: MoveEnv,
  fromName: string,
  toName: string | null,
  keys: readonly RowInput[],
  o: MaintenanceOptions = {},
): Promise<MoveResult> {
  const from = env.core(fromName);
  const to = toName === null ? null : env.core(toName);
  if (to && to.root === from.root) throw new InputError(`move: ${fromName} → ${toName} is one table`);
  planMove(from, to, keys); // a bad request fails before any lock is taken
  const names = new Set(toName === null ? [fromName] : [fromName, toName]);
  const completed = await completeMoves(env, o, names);
  const j: MoveJournal = {
    format: "cryptorun-cold-move",
    format_version: 1,
    id: `${Date.now().toString(36)}-${crypto.randomUUID().slice(0, 8)}`,
    kind: to ? "move" : "delete",
    from: fromName,
    to: toName,
    created_at: isoMs(Date.now()),
    command: o.command ?? "cryptorun",
    keys: keys.map((k) => ({ ...k })) as MoveJournal["keys"],
  };
  const r = await withLocks(to ? [from, to] : [from], o, async (locks) => {
    // A mover that died between our scan and our locks: finish its journal here when we hold its tables.
    for (const p of await pendingMoves(env)) {
      if (!tablesOf(p).some((n) => names.has(n))) continue;
      if (!tablesOf(p).every((n) => names.has(n))) {
        throw new InputError(
          `an interrupted ${p.kind} ${p.from}${
            p.to ? ` → ${p.to}` : ""
          } (journal ${p.id}) touches ${fromName}; ` +
            `run the move again to complete it first`,
        );
      }
      await runMove(env, p, locks, o, false);
      completed.push(p.id);
    }
    if (keys.length === 0) {
      return {
        kind: j.kind,
        from: fromName,
        to: toName,
        moved: 0,
        alreadyMoved: 0,
        missing: 0,
        toSnapshot: null,
        fromSnapshot: null,
      };
    }
    return await runMove(env, j, locks, o, true);
  });
  return { ...r, completed };
}
