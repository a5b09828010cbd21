import { join } from "node:path";
import { InputError } from "../../util/errors.ts";
import { digestFile } from "./checksum.ts";
import { type BaseSnapshot, beginTransaction, type TransactionOptions } from "./commit.ts";
import type { TableLock } from "./lock.ts";
import { filePath, type Manifest, type ManifestFile, readManifest, relPath } from "./manifest.ts";
import { listDir, readCurrent, snapshotDir, SNAPSHOTS, STAGING } from "./table_dir.ts";
import { checkFile, type DamagedFile, verifyTable } from "./verify.ts";

/**
 * `cryptorun cold verify --repair-from <copy>`: restores damaged files from another copy of the table (a
 * replica, a backup, any directory holding the files). Each damaged file's good bytes are found by their
 * BLAKE3 (candidates of the right size only are hashed), checked again as they are copied, and committed as
 * a new snapshot — a repair is a commit like any other. A damaged manifest is taken from the copy's snapshot
 * of the same version. Nothing is committed unless every damaged file has a good copy.
 */

export interface RepairReport {
  damaged: DamagedFile[];
  repaired: { path: string; from: string }[];
  /** Stray files left out of the new snapshot. */
  dropped: string[];
  snapshot: number | null;
}

/** Files under `dir` by size (recursively; staging debris skipped). */
async function filesBySize(dir: string, out = new Map<number, string[]>()): Promise<Map<number, string[]>> {
  for (const e of await listDir(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory) {
      if (e.name !== STAGING) await filesBySize(p, out);
    } else if (e.isFile) {
      const size = (await Deno.stat(p)).size;
      const list = out.get(size) ?? [];
      list.push(p);
      out.set(size, list);
    }
  }
  return out;
}

/** The copy's manifest of snapshot `version`, verified (null when it has none). */
async function replicaManifest(replica: string, version: number, table: string): Promise<Manifest | null> {
  const candidates = [snapshotDir(replica, version)];
  const cur = await readCurrent(replica).catch(() => null);
  if (cur) candidates.push(cur.dir);
  for (const dir of candidates) {
    try {
      const m = await readManifest(dir, { validate: true });
      if (m.version === version && m.table === table) return m;
    } catch { /* try the next */ }
  }
  return null;
}

export async function repairTable(
  root: string,
  replica: string,
  lock: TableLock,
  o: TransactionOptions,
): Promise<RepairReport> {
  try {
    if (!(await Deno.stat(replica)).isDirectory) throw new Error("not a directory");
  } catch (err) {
    throw new InputError(`--repair-from: cannot read ${replica}: ${(err as Error).message}`);
  }
  const report = await verifyTable(root, o.table, { signal: o.signal });
  const out: RepairReport = { damaged: report.damaged, repaired: [], dropped: [], snapshot: null };
  if (report.ok) return out;
  if (report.damaged.some((d) => d.problem === "current")) {
    throw new InputError(
      `${join(root, "current")} is damaged (${report.damaged[0].detail}); it names the snapshot to repair, ` +
        `so it cannot be repaired from files: point it at the newest intact _snapshots/vNNNNNNNN by hand`,
    );
  }
  const cur = (await readCurrent(root))!;
  let manifest: Manifest;
  let needed: ManifestFile[];
  if (report.damaged.some((d) => d.problem === "manifest")) {
    const m = await replicaManifest(replica, cur.version, o.table);
    if (!m) {
      throw new InputError(
        `the manifest of ${SNAPSHOTS}/v${cur.version} is damaged and ${replica} holds no intact manifest of ` +
          `that version: nothing repaired`,
      );
    }
    manifest = m;
    // Our list is unreadable: check each of our files against the copy's list.
    needed = [];
    for (const f of m.files) {
      const d = await checkFile(filePath(cur.dir, f), f, o.signal);
      if (d) {
        needed.push(f);
        out.damaged.push(d);
      }
    }
  } else {
    manifest = await readManifest(cur.dir);
    const bad = new Set(report.damaged.filter((d) => d.problem !== "stray").map((d) => d.path));
    needed = manifest.files.filter((f) => bad.has(filePath(cur.dir, f)));
  }
  out.dropped = report.damaged.filter((d) => d.problem === "stray").map((d) => d.path);

  const found = new Map<string, string>();
  if (needed.length > 0) {
    const bySize = await filesBySize(replica);
    for (const f of needed) {
      for (const cand of bySize.get(f.size) ?? []) {
        if ((await digestFile(cand, o.signal)).blake3 === f.blake3) {
          found.set(relPath(f), cand);
          break;
        }
      }
    }
    const missing = needed.filter((f) => !found.has(relPath(f)));
    if (missing.length > 0) {
      throw new InputError(
        `no intact copy in ${replica} of ${missing.map((f) => filePath(cur.dir, f)).join(", ")}: nothing ` +
          `repaired (the copy must hold a file with the same BLAKE3)`,
      );
    }
  }

  const base: BaseSnapshot = { version: cur.version, dir: cur.dir, manifest };
  const txn = await beginTransaction(root, lock, o, base);
  try {
    for (const f of needed) {
      const from = found.get(relPath(f))!;
      const path = await txn.stagingPath(f.dt, f.name);
      await Deno.copyFile(from, path);
      const fh = await Deno.open(path, { read: true, write: true });
      try {
        await fh.sync();
      } finally {
        fh.close();
      }
      const d = await digestFile(path, o.signal); // the bytes staged, not the bytes we looked at
      if (d.blake3 !== f.blake3) {
        throw new InputError(`${from} changed while it was copied: nothing repaired`);
      }
      txn.remove(f);
      txn.add(f, path);
      out.repaired.push({ path: filePath(cur.dir, f), from });
    }
    const m = await txn.commit("repair", { force: true });
    out.snapshot = m?.version ?? null;
    return out;
  } catch (err) {
    await txn.abort();
    throw err;
  }
}
