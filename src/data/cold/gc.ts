import { join } from "node:path";
import { failpoint } from "../../util/failpoint.ts";
import { isLegacyDebris, legacyPartitionDirs } from "./layout.ts";
import { MANIFEST_NAME, PART_NAME_RE } from "./manifest.ts";
import {
  CURRENT_TMP_PREFIX,
  type CurrentSnapshot,
  listDir,
  parseVersionName,
  removeIfExists,
  SNAPSHOTS,
  STAGING,
} from "./table_dir.ts";

/**
 * Garbage collection of a table directory. Runs under the writer lock (at the start of every write, and
 * `cryptorun cold verify --gc`), so anything a writer leaves behind is debris by then:
 * - every `_staging/<txn>` directory and `.current.*` temp symlink (a commit that died before its switch);
 * - snapshot directories newer than `current` (built, never switched to);
 * - old snapshots: the `keepSnapshots` newest before `current` stay, and so does any snapshot superseded
 *   less than `graceMs` ago, so that a reader that resolved it before the switch can finish;
 * - after an upgrade from the wave-1 layout: the root-level `dt=*` folders' files that a snapshot also links
 *   (their bytes live on there) and `.part-*.tmp*` debris. A root-level part that no snapshot links is kept
 *   and reported: it was never committed, so deleting it could lose data.
 */

export interface GcOptions {
  keepSnapshots: number;
  graceMs: number;
  now?: number;
}

export interface GcReport {
  staging: string[];
  uncommitted: string[];
  snapshots: string[];
  tempLinks: string[];
  legacy: string[];
  /** Root-level part files no snapshot links (left in place). */
  keptLegacy: string[];
}

export function emptyGcReport(): GcReport {
  return { staging: [], uncommitted: [], snapshots: [], tempLinks: [], legacy: [], keptLegacy: [] };
}

async function mtimeOf(path: string): Promise<number | null> {
  try {
    return (await Deno.stat(path)).mtime?.getTime() ?? null;
  } catch {
    return null;
  }
}

export async function collectGarbage(
  root: string,
  current: CurrentSnapshot | null,
  o: GcOptions,
): Promise<GcReport> {
  const r = emptyGcReport();
  const now = o.now ?? Date.now();
  for (const e of await listDir(join(root, STAGING))) {
    const p = join(root, STAGING, e.name);
    await failpoint("cold.gc");
    if (await removeIfExists(p)) r.staging.push(p);
  }
  for (const e of await listDir(root)) {
    if (!e.name.startsWith(CURRENT_TMP_PREFIX)) continue;
    const p = join(root, e.name);
    if (await removeIfExists(p)) r.tempLinks.push(p);
  }
  const versions: { v: number; dir: string }[] = [];
  for (const e of await listDir(join(root, SNAPSHOTS))) {
    const v = parseVersionName(e.name);
    if (v !== null && e.isDirectory) versions.push({ v, dir: join(root, SNAPSHOTS, e.name) });
  }
  versions.sort((a, b) => b.v - a.v); // newest first
  const older: { v: number; dir: string }[] = [];
  for (const s of versions) {
    if (current === null || s.v > current.version) {
      await failpoint("cold.gc");
      if (await removeIfExists(s.dir)) r.uncommitted.push(s.dir);
    } else if (s.v < current.version) older.push(s);
  }
  // older: newest first. The successor of older[i] is older[i-1] (or current for i = 0).
  for (let i = o.keepSnapshots; i < older.length; i++) {
    const successor = i === 0 ? current!.dir : older[i - 1].dir;
    const superseded = (await mtimeOf(join(successor, MANIFEST_NAME))) ?? (await mtimeOf(successor)) ?? 0;
    if (now - superseded < o.graceMs) continue;
    await failpoint("cold.gc");
    if (await removeIfExists(older[i].dir)) r.snapshots.push(older[i].dir);
  }
  if (current !== null) await removeLegacyLeftovers(root, r);
  return r;
}

async function removeLegacyLeftovers(root: string, r: GcReport): Promise<void> {
  for (const p of await legacyPartitionDirs(root)) {
    let left = 0;
    for (const e of await listDir(p.dir)) {
      const path = join(p.dir, e.name);
      const st = await Deno.lstat(path);
      const linked = st.isFile && PART_NAME_RE.test(e.name) && (st.nlink ?? 1) > 1;
      if (linked || (st.isFile && isLegacyDebris(e.name))) {
        await failpoint("cold.gc");
        await Deno.remove(path);
        r.legacy.push(path);
      } else {
        left++;
        r.keptLegacy.push(path);
      }
    }
    if (left === 0) await removeIfExists(p.dir);
  }
}
