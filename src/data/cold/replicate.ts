import { join } from "node:path";
import { InputError, show } from "../../util/errors.ts";
import { failpoint } from "../../util/failpoint.ts";
import { writeFileSynced } from "../../util/atomic_write.ts";
import { digestFile } from "./checksum.ts";
import { decodeManifest, filePath, type Manifest, MANIFEST_NAME, readManifest, relPath } from "./manifest.ts";
import {
  CURRENT,
  CURRENT_TMP_PREFIX,
  listDir,
  parseVersionName,
  readCurrent,
  removeIfExists,
  snapshotDir,
  SNAPSHOTS,
  STAGING,
  syncDir,
  versionName,
} from "./table_dir.ts";

/**
 * Cold-tier replication (issue 17, spec A3.4): ships a table's current snapshot — its sealed day-partition
 * parts, byte for byte, and its checksummed manifest — to a second location (another disk, a mounted
 * bucket) in the same layout, so the replica is itself a readable table (`cold dump` with `--data-dir` on
 * it, DuckDB through `current/`) and a source for `cold verify --repair-from`.
 *
 *   1. the source's `current` is resolved once and its manifest verified: the snapshot is immutable (sealed);
 *   2. each file goes to `<replica>/_staging/replicate-vN/dt=…/part-…`: a file the replica's current
 *      snapshot already holds (same BLAKE3) is hard-linked, any other copied to a temp name, fsynced, READ
 *      BACK and checked against the manifest's BLAKE3 and size, then renamed into place; a file already
 *      staged by an interrupted run is kept when it verifies (resumable);
 *   3. the manifest is written (verified as it is decoded), the staging directory fsynced and renamed to
 *      `_snapshots/vN`, and `current` switched with one rename of a fresh symlink — the commit point: a
 *      reader of the replica sees the old snapshot or the new one, never a half-copied one;
 *   4. snapshots older than the previous one are removed from the replica.
 * Killed at any point (kill -9), the replica is as before; a re-run resumes where it stopped. Nothing is
 * written under the source.
 */

export interface ReplicateOptions {
  signal?: AbortSignal;
  /** Called after each file (progress). */
  onFile?: (done: number, total: number) => void;
}

export interface ReplicateReport {
  source: string;
  replica: string;
  /** The source snapshot now current in the replica. */
  version: number | null;
  /** The replica's snapshot before this run. */
  previous: number | null;
  files: number;
  copied: number;
  linked: number;
  /** Files an interrupted run had staged, verified and kept. */
  resumed: number;
  bytesCopied: number;
  /** Newest bar (max ts over the manifest) in the source and in the replica after the run. */
  sourceMaxTs: number | null;
  replicaMaxTs: number | null;
  /** What the replica lacks vs the source (s): source max ts − replica max ts, 0 when equal. */
  lagSeconds: number;
}

export function maxTsOf(m: Manifest | null): number | null {
  let max: number | null = null;
  for (const f of m?.files ?? []) if (f.max_ts !== null && (max === null || f.max_ts > max)) max = f.max_ts;
  return max;
}

/** Replication lag in seconds: what the replica lacks of the source's newest bar (0 when it has it). */
export function lagSeconds(sourceMaxTs: number | null, replicaMaxTs: number | null): number {
  if (sourceMaxTs === null) return 0;
  if (replicaMaxTs === null) return Infinity;
  return Math.max(0, (sourceMaxTs - replicaMaxTs) / 1000);
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}

/** Verifies a file against its manifest entry: size, then the whole-file BLAKE3 of the bytes on disk. */
async function verifies(path: string, size: number, blake3: string, signal?: AbortSignal): Promise<boolean> {
  try {
    if ((await Deno.stat(path)).size !== size) return false;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
  return (await digestFile(path, signal)).blake3 === blake3;
}

/** The replica's current manifest, or null (none yet, or unreadable: then everything is copied again). */
async function replicaBase(
  root: string,
): Promise<{ version: number; dir: string; manifest: Manifest } | null> {
  try {
    const cur = await readCurrent(root);
    if (!cur) return null;
    return { ...cur, manifest: await readManifest(cur.dir, { validate: true }) };
  } catch {
    return null;
  }
}

export async function replicateTable(
  sourceRoot: string,
  replicaRoot: string,
  o: ReplicateOptions = {},
): Promise<ReplicateReport> {
  if (
    (await Deno.realPath(sourceRoot).catch(() => sourceRoot)) ===
      (await Deno.realPath(replicaRoot).catch(() => replicaRoot))
  ) {
    throw new InputError(`--to: ${show(replicaRoot)} is the table itself; replicate to another directory`);
  }
  const src = await readCurrent(sourceRoot);
  if (!src) {
    throw new InputError(`${sourceRoot}: the table has no snapshot yet; nothing to replicate`);
  }
  const manifest = await readManifest(src.dir, { validate: true });
  const manifestBytes = await Deno.readFile(join(src.dir, MANIFEST_NAME));
  const base = await replicaBase(replicaRoot);
  const report: ReplicateReport = {
    source: sourceRoot,
    replica: replicaRoot,
    version: base?.version ?? null,
    previous: base?.version ?? null,
    files: manifest.files.length,
    copied: 0,
    linked: 0,
    resumed: 0,
    bytesCopied: 0,
    sourceMaxTs: maxTsOf(manifest),
    replicaMaxTs: maxTsOf(base?.manifest ?? null),
    lagSeconds: 0,
  };
  if (base && base.version === src.version && base.manifest.checksum === manifest.checksum) {
    report.lagSeconds = lagSeconds(report.sourceMaxTs, report.replicaMaxTs);
    return report; // up to date
  }
  const finalDir = snapshotDir(replicaRoot, src.version);
  const staging = join(replicaRoot, STAGING, `replicate-${versionName(src.version)}`);
  // Staging of an older source snapshot an interrupted run left: superseded, removed.
  for (const e of await listDir(join(replicaRoot, STAGING))) {
    if (e.name.startsWith("replicate-") && e.name !== `replicate-${versionName(src.version)}`) {
      await Deno.remove(join(replicaRoot, STAGING, e.name), { recursive: true });
    }
  }
  await Deno.mkdir(join(replicaRoot, SNAPSHOTS), { recursive: true });
  // A run killed after its rename but before the switch left the snapshot complete: only switch.
  const complete = await exists(join(finalDir, MANIFEST_NAME));
  if (!complete) {
    await Deno.mkdir(staging, { recursive: true });
    const have = new Map<string, string>();
    for (const f of base?.manifest.files ?? []) have.set(f.blake3, filePath(base!.dir, f));
    const dirs = new Set<string>();
    let done = 0;
    for (const f of manifest.files) {
      o.signal?.throwIfAborted();
      const rel = relPath(f);
      const dst = join(staging, rel);
      const dir = join(staging, `dt=${f.dt}`);
      if (!dirs.has(dir)) {
        await Deno.mkdir(dir, { recursive: true });
        dirs.add(dir);
      }
      if (await exists(dst)) {
        if (await verifies(dst, f.size, f.blake3, o.signal)) {
          report.resumed++;
          o.onFile?.(++done, manifest.files.length);
          continue;
        }
        await Deno.remove(dst);
      }
      const same = have.get(f.blake3);
      if (same && (await Deno.stat(same).then((s) => s.size === f.size, () => false))) {
        await Deno.link(same, dst);
        report.linked++;
      } else {
        const tmp = join(dir, `.${f.name}.tmp`);
        await Deno.copyFile(filePath(src.dir, f), tmp);
        const fh = await Deno.open(tmp, { read: true, write: true });
        try {
          await fh.sync();
        } finally {
          fh.close();
        }
        if (!(await verifies(tmp, f.size, f.blake3, o.signal))) {
          await removeIfExists(tmp);
          throw new InputError(
            `replicate: ${rel}: the copy does not match the manifest's BLAKE3 ${f.blake3} (the source file or ` +
              `the disk is damaged); run 'cryptorun cold verify' on the source; the replica is unchanged`,
          );
        }
        await Deno.rename(tmp, dst);
        report.copied++;
        report.bytesCopied += f.size;
      }
      await failpoint("replicate.file_shipped");
      o.onFile?.(++done, manifest.files.length);
    }
    await writeFileSynced(join(staging, MANIFEST_NAME), manifestBytes);
    await decodeManifest(await Deno.readFile(join(staging, MANIFEST_NAME)), join(staging, MANIFEST_NAME), {
      validate: true,
    });
    for (const d of dirs) await syncDir(d);
    await syncDir(staging);
    await failpoint("replicate.staged");
    await removeIfExists(finalDir); // a directory without a manifest: debris of an older attempt
    await Deno.rename(staging, finalDir);
    await syncDir(join(replicaRoot, SNAPSHOTS));
  }
  await failpoint("replicate.before_switch");
  const tmp = join(replicaRoot, `${CURRENT_TMP_PREFIX}replicate-${crypto.randomUUID().slice(0, 8)}`);
  await Deno.symlink(`${SNAPSHOTS}/${versionName(src.version)}`, tmp);
  await Deno.rename(tmp, join(replicaRoot, CURRENT)); // the replica's commit point
  await syncDir(replicaRoot);
  // Keep the previous snapshot (a reader may be on it); older ones go.
  for (const e of await listDir(join(replicaRoot, SNAPSHOTS))) {
    const v = parseVersionName(e.name);
    if (v !== null && v !== src.version && v !== base?.version) {
      await Deno.remove(join(replicaRoot, SNAPSHOTS, e.name), { recursive: true });
    }
  }
  report.version = src.version;
  report.replicaMaxTs = report.sourceMaxTs;
  report.lagSeconds = 0;
  return report;
}

/** The lag of a replica vs its source without copying anything (monitoring). */
export async function replicationLag(sourceRoot: string, replicaRoot: string): Promise<number> {
  const src = await readCurrent(sourceRoot);
  const srcMax = src ? maxTsOf(await readManifest(src.dir, { validate: true })) : null;
  const base = await replicaBase(replicaRoot);
  return lagSeconds(srcMax, maxTsOf(base?.manifest ?? null));
}
