import { join } from "node:path";
import { InputError } from "../../util/errors.ts";

/**
 * The table directory (`<data-dir>/<cold.path>`):
 *
 *   current -> _snapshots/v00000042      symlink: THE commit point (a fresh symlink renamed over it)
 *   _snapshots/v00000042/_manifest.json  the snapshot's manifest (manifest.ts)
 *   _snapshots/v00000042/dt=YYYY-MM-DD/part-NNNNN.parquet   hard links to immutable part files
 *   _staging/<txn>/…                     parts being written (no reader's glob matches this)
 *   _lock                                the writer lock (lock.ts)
 *
 * Tables written before snapshots (wave 1) hold `dt=*` directly under the root (legacy.ts).
 */

export const CURRENT = "current";
export const SNAPSHOTS = "_snapshots";
export const STAGING = "_staging";
export const LOCK_FILE = "_lock";
/** Prefix of the temp symlink renamed over `current` (debris when a commit dies in between). */
export const CURRENT_TMP_PREFIX = ".current.";

const VERSION_RE = /^v(\d{8,})$/;

export function versionName(v: number): string {
  return `v${String(v).padStart(8, "0")}`;
}

export function parseVersionName(name: string): number | null {
  const m = VERSION_RE.exec(name);
  return m ? Number(m[1]) : null;
}

export function snapshotDir(root: string, version: number): string {
  return join(root, SNAPSHOTS, versionName(version));
}

export interface CurrentSnapshot {
  version: number;
  /** Absolute path of the version directory (readers use it, never `current/…`, for one consistent state). */
  dir: string;
}

/**
 * Resolves `current` once: null when the table has none (empty or legacy); an error naming the link when it
 * is not a symlink to `_snapshots/vNNNNNNNN` or its target is gone.
 */
export async function readCurrent(root: string): Promise<CurrentSnapshot | null> {
  const link = join(root, CURRENT);
  let target: string;
  try {
    target = await Deno.readLink(link);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    // Permission and capability errors keep their kind: the CLI turns them into a plain line naming the path.
    if (err instanceof Deno.errors.NotCapable || err instanceof Deno.errors.PermissionDenied) throw err;
    throw new InputError(
      `${link}: expected a symlink to ${SNAPSHOTS}/vNNNNNNNN, cannot read it: ${(err as Error).message}`,
    );
  }
  const parts = target.split("/");
  const version = parts.length === 2 && parts[0] === SNAPSHOTS ? parseVersionName(parts[1]) : null;
  if (version === null) {
    throw new InputError(`${link}: expected a symlink to ${SNAPSHOTS}/vNNNNNNNN, found ${target}`);
  }
  const dir = snapshotDir(root, version);
  try {
    if (!(await Deno.stat(dir)).isDirectory) throw new Deno.errors.NotFound();
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
    throw new InputError(
      `${link} points at ${target}, which does not exist: the table is damaged; run 'cryptorun cold verify'`,
    );
  }
  return { version, dir };
}

/** fsync of a directory: its new entries (files, links, renames) survive a power loss. */
export async function syncDir(path: string): Promise<void> {
  const d = await Deno.open(path, { read: true });
  try {
    await d.sync();
  } finally {
    d.close();
  }
}

/** Removes a path (recursively), ignoring one that is already gone. */
export async function removeIfExists(path: string): Promise<boolean> {
  try {
    await Deno.remove(path, { recursive: true });
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}

/** Entries of a directory ([] when it does not exist). */
export async function listDir(path: string): Promise<Deno.DirEntry[]> {
  const out: Deno.DirEntry[] = [];
  try {
    for await (const e of Deno.readDir(path)) out.push(e);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return [];
    throw err;
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** This host's name for lock and manifest records ("?" without permission). */
export function hostName(): string {
  try {
    return Deno.hostname();
  } catch {
    return "?";
  }
}
