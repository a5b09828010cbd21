import { join } from "node:path";
import { InputError } from "../../util/errors.ts";
import { writeFileSynced } from "../../util/atomic_write.ts";
import { failpoint } from "../../util/failpoint.ts";
import { isoMs } from "../../util/time.ts";
import { collectGarbage, type GcReport } from "./gc.ts";
import type { TableLock } from "./lock.ts";
import {
  decodeManifest,
  encodeManifest,
  filePath,
  type Manifest,
  MANIFEST_NAME,
  type ManifestFile,
  type Operation,
  PART_NAME_RE,
  relPath,
} from "./manifest.ts";
import {
  CURRENT,
  CURRENT_TMP_PREFIX,
  hostName,
  readCurrent,
  removeIfExists,
  snapshotDir,
  SNAPSHOTS,
  STAGING,
  syncDir,
  versionName,
} from "./table_dir.ts";
import { partName } from "./layout.ts";
import { type BaseSnapshot, readBase } from "./table_state.ts";

export { type BaseSnapshot, readBase } from "./table_state.ts";

/**
 * Commits to a table: one transaction API for every change (write, compact, repair, upgrade; later
 * quarantine and import). Under the table's writer lock (lock.ts, held by the caller):
 *
 *   begin   garbage-collect debris, read and verify the current manifest (the base)
 *   stage   new parts are written into `_staging/<txn>/` (fsynced); removals are noted
 *   commit  `_snapshots/v<N+1>/` is built by hard-linking every file that stays plus the staged ones, its
 *           `_manifest.json` is written, files and directories fsynced; then `current` is switched with ONE
 *           rename(2) of a fresh symlink over it. Nothing a reader can see changes before that rename; after
 *           it, everything has. Then the staging directory is removed and old snapshots are collected.
 *
 * A crash anywhere leaves either the old state (plus debris the next writer's GC removes) or the new one.
 */

export interface TransactionOptions {
  table: string;
  /** What is running (the manifest's committed_by). */
  command: string;
  keepSnapshots: number;
  graceMs: number;
  signal?: AbortSignal;
}

export interface Transaction {
  readonly root: string;
  /** The committed state this transaction builds on (null: an empty table). */
  readonly base: BaseSnapshot | null;
  readonly gc: GcReport;
  /** Files of the snapshot being built: the base's minus removals plus staged ones, by (dt, part). */
  files(): ManifestFile[];
  /** Absolute path of a base file (for reads during the transaction). */
  basePath(f: ManifestFile): string;
  /** A part name never used in this table's partition `dt` (reserved for this transaction). */
  allocatePart(dt: string, ext: string): string;
  /** Where to write a staged part (its directory exists). */
  stagingPath(dt: string, name: string): Promise<string>;
  /** Adds a file whose bytes are at `source` (a staged file, or an existing file to hard-link). */
  add(entry: ManifestFile, source: string): void;
  /** Removes a file of the base from the next snapshot. */
  remove(f: ManifestFile): void;
  /**
   * Publishes the next snapshot; null (nothing committed) when nothing was added or removed, unless `force`
   * (a repair that only drops stray files still needs a fresh snapshot directory).
   */
  commit(operation: Operation, opts?: { force?: boolean }): Promise<Manifest | null>;
  /** Drops everything staged. */
  abort(): Promise<void>;
}

const byPart = (a: ManifestFile, b: ManifestFile) =>
  a.dt < b.dt
    ? -1
    : a.dt > b.dt
    ? 1
    : Number(PART_NAME_RE.exec(a.name)![1]) - Number(PART_NAME_RE.exec(b.name)![1]);

/**
 * Begins a transaction on the table at `root`. The caller holds the table's writer lock (`lock`) for the
 * whole transaction. Debris is collected first; `base` overrides the committed state to build on (repair
 * of a damaged manifest), else it is read and verified.
 */
export async function beginTransaction(
  root: string,
  _lock: TableLock,
  o: TransactionOptions,
  base?: BaseSnapshot | null,
): Promise<Transaction> {
  // The base first, its whole schema checked: a damaged manifest stops the write before anything is
  // collected or staged.
  const from = base === undefined ? await readBase(root, o.table, { validate: true }) : base;
  const gc = await collectGarbage(root, await readCurrent(root), o);
  return openTransaction(root, from, gc, o);
}

function openTransaction(
  root: string,
  base: BaseSnapshot | null,
  gc: GcReport,
  o: TransactionOptions,
): Transaction {
  const txnId = `${Date.now().toString(36)}-${crypto.randomUUID().slice(0, 8)}`;
  const staging = join(root, STAGING, txnId);
  const seq: Record<string, number> = { ...(base?.manifest.part_seq ?? {}) };
  const removed = new Map<string, ManifestFile>();
  const added = new Map<string, { entry: ManifestFile; source: string }>();
  const madeDirs = new Set<string>();
  let done = false;

  const finish = async () => {
    done = true;
    await removeIfExists(staging).catch(() => {});
  };

  const txn: Transaction = {
    root,
    base,
    gc,
    files() {
      const keep = (base?.manifest.files ?? []).filter((f) => !removed.has(relPath(f)));
      return [...keep, ...[...added.values()].map((a) => a.entry)].sort(byPart);
    },
    basePath(f) {
      return filePath(base!.dir, f);
    },
    allocatePart(dt, ext) {
      const n = seq[dt] ?? 0;
      seq[dt] = n + 1;
      return partName(n, ext);
    },
    async stagingPath(dt, name) {
      const dir = join(staging, `dt=${dt}`);
      if (!madeDirs.has(dir)) {
        await Deno.mkdir(dir, { recursive: true });
        madeDirs.add(dir);
      }
      return join(dir, name);
    },
    add(entry, source) {
      const n = Number(PART_NAME_RE.exec(entry.name)![1]);
      if (n >= (seq[entry.dt] ?? 0)) seq[entry.dt] = n + 1;
      added.set(relPath(entry), { entry, source });
    },
    remove(f) {
      const p = relPath(f);
      if (added.delete(p)) return;
      removed.set(p, f);
    },
    async commit(operation, opts = {}) {
      if (done) throw new Error("transaction already finished");
      try {
        if (added.size === 0 && removed.size === 0 && !opts.force) {
          await finish();
          return null;
        }
        o.signal?.throwIfAborted();
        const manifest = await publish(root, base, txn.files(), {
          operation,
          table: o.table,
          command: o.command,
          seq,
          added: [...added.values()],
          removed: [...removed.keys()],
          txnId,
        });
        // Committed. Cleanup failures only leave debris for the next writer's GC.
        try {
          await removeIfExists(staging);
          await failpoint("cold.cleanup");
          const cur = { version: manifest.version, dir: snapshotDir(root, manifest.version) };
          const more = await collectGarbage(root, cur, o);
          gc.snapshots.push(...more.snapshots);
        } catch { /* debris: collected by the next writer */ }
        await finish();
        return manifest;
      } catch (err) {
        if (!done) await finish();
        throw err;
      }
    },
    async abort() {
      if (!done) await finish();
    },
  };
  return txn;
}

interface PublishOptions {
  operation: Operation;
  table: string;
  command: string;
  seq: Record<string, number>;
  added: { entry: ManifestFile; source: string }[];
  removed: string[];
  txnId: string;
}

/** Builds `_snapshots/v<N+1>` and switches `current` to it (the commit point). */
async function publish(
  root: string,
  base: BaseSnapshot | null,
  files: ManifestFile[],
  p: PublishOptions,
): Promise<Manifest> {
  const version = (base?.version ?? 0) + 1;
  const dir = snapshotDir(root, version);
  await removeIfExists(dir); // debris of a commit that died before its switch (GC removes it too)
  await Deno.mkdir(dir, { recursive: true });
  const sources = new Map(p.added.map((a) => [relPath(a.entry), a.source]));
  let bytes: Uint8Array;
  try {
    const parts = [...new Set(files.map((f) => f.dt))];
    for (const dt of parts) await Deno.mkdir(join(dir, `dt=${dt}`));
    await failpoint("cold.before_links");
    for (const f of files) {
      const src = sources.get(relPath(f)) ?? filePath(base!.dir, f);
      try {
        await Deno.link(src, filePath(dir, f));
      } catch (err) {
        throw new InputError(
          `cannot link ${src} into ${versionName(version)}: ${(err as Error).message}` +
            (sources.has(relPath(f)) ? "" : `; the current snapshot is damaged, run 'cryptorun cold verify'`),
        );
      }
      await failpoint("cold.linked");
    }
    await syncAll(parts.map((dt) => join(dir, `dt=${dt}`)));
    const seq: Record<string, number> = {};
    for (const k of Object.keys(p.seq).sort()) seq[k] = p.seq[k];
    bytes = await encodeManifest({
      format: "cryptorun-cold-manifest",
      format_version: 1,
      table: p.table,
      version,
      parent: base?.version ?? null,
      operation: p.operation,
      committed_at: isoMs(Date.now()),
      committed_by: { pid: Deno.pid, host: hostName(), command: p.command },
      added: p.added.map((a) => relPath(a.entry)).sort(),
      removed: [...p.removed].sort(),
      part_seq: seq,
      files,
    });
    await writeFileSynced(join(dir, MANIFEST_NAME), bytes);
    await failpoint("cold.manifest_written");
    await syncDir(dir);
    await syncDir(join(root, SNAPSHOTS));
  } catch (err) {
    await removeIfExists(dir).catch(() => {});
    throw err;
  }
  await failpoint("cold.before_switch");
  const tmp = join(root, `${CURRENT_TMP_PREFIX}${p.txnId}`);
  await Deno.symlink(`${SNAPSHOTS}/${versionName(version)}`, tmp);
  await Deno.rename(tmp, join(root, CURRENT)); // THE commit point
  await failpoint("cold.after_switch");
  await syncDir(root);
  return await decodeManifest(bytes, join(dir, MANIFEST_NAME));
}

/** fsyncs directories, a few at a time (after the first, a journaling filesystem has little left to do). */
async function syncAll(dirs: string[]): Promise<void> {
  for (let i = 0; i < dirs.length; i += 16) await Promise.all(dirs.slice(i, i + 16).map(syncDir));
}
