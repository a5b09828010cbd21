import { join } from "node:path";
import { InputError } from "../../util/errors.ts";
import { listLegacyFiles } from "./legacy.ts";
import {
  type DecodeOptions,
  filePath,
  type Manifest,
  MANIFEST_NAME,
  type ManifestFile,
  readManifest,
} from "./manifest.ts";
import { readCurrent, versionName } from "./table_dir.ts";
import type { StorageFormat } from "./types.ts";

export interface BaseSnapshot {
  version: number;
  dir: string;
  manifest: Manifest;
}

/**
 * The committed snapshot `current` names, its manifest verified (null: no snapshot yet). Writers, moves and
 * the garbage collector pass `{ validate: true }`: they build on it, so they check the whole schema first.
 */
export async function readBase(
  root: string,
  table: string,
  opts: DecodeOptions = {},
): Promise<BaseSnapshot | null> {
  const cur = await readCurrent(root);
  if (!cur) return null;
  const manifest = await readManifest(cur.dir, opts);
  const path = join(cur.dir, MANIFEST_NAME);
  if (manifest.table !== table) {
    throw new InputError(`${path}: holds table ${manifest.table}, expected ${table}`);
  }
  if (manifest.version !== cur.version) {
    throw new InputError(
      `${path}: version ${manifest.version} in directory ${
        versionName(cur.version)
      }: the table is damaged; ` +
        `run 'cryptorun cold verify'`,
    );
  }
  return { version: cur.version, dir: cur.dir, manifest };
}

/** A file a read may open: by its path inside one snapshot (or the wave-1 root), with its manifest entry. */
export interface TableFile {
  dt: string;
  path: string;
  format: StorageFormat;
  /** Manifest entry: rows, ts range, checksums (absent for a wave-1 table: unverified). */
  entry?: ManifestFile;
}

export type TableState =
  | { layout: "empty"; snapshot: null; files: TableFile[] }
  | { layout: "snapshot"; snapshot: number; dir: string; files: TableFile[] }
  | { layout: "legacy"; snapshot: null; files: TableFile[] };

/**
 * What a read reads: `current` is resolved ONCE and its manifest verified; the files it lists are then read
 * by their path inside that version directory, so a commit during the read cannot mix two states into it.
 * Directories are never listed to discover data — except in a wave-1 table, which has no manifest.
 */
export async function readTableState(root: string, table: string): Promise<TableState> {
  const base = await readBase(root, table);
  if (base) {
    return {
      layout: "snapshot",
      snapshot: base.version,
      dir: base.dir,
      files: base.manifest.files.map((f) => ({
        dt: f.dt,
        path: filePath(base.dir, f),
        format: f.format,
        entry: f,
      })),
    };
  }
  const legacy = await listLegacyFiles(root);
  if (legacy.length > 0) {
    return {
      layout: "legacy",
      snapshot: null,
      files: legacy.map((f) => ({ dt: f.dt, path: f.path, format: f.format })),
    };
  }
  return { layout: "empty", snapshot: null, files: [] };
}
