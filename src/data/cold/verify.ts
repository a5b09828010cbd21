import { join } from "node:path";
import { InputError } from "../../util/errors.ts";
import { decodeBlocks, digestFile } from "./checksum.ts";
import { listLegacyFiles } from "./legacy.ts";
import {
  filePath,
  type Manifest,
  MANIFEST_NAME,
  type ManifestFile,
  readManifest,
  relPath,
} from "./manifest.ts";
import { CURRENT, type CurrentSnapshot, listDir, readCurrent } from "./table_dir.ts";

/**
 * `cryptorun cold verify`: checks the current snapshot completely — its manifest (checksum, schema), then
 * every file it lists (exists, size, whole-file BLAKE3 and every block hash) — and looks for stray files in
 * the snapshot directory (a file no manifest lists would be read by an external glob). Lists exactly the
 * damaged files.
 */

export type Problem = "current" | "manifest" | "missing" | "not_a_file" | "size" | "checksum" | "stray";

export interface DamagedFile {
  path: string;
  problem: Problem;
  detail: string;
}

export interface VerifyReport {
  table: string;
  root: string;
  layout: "snapshot" | "empty";
  snapshot: number | null;
  files: number;
  bytes: number;
  damaged: DamagedFile[];
  ok: boolean;
}

/** One file against its manifest entry; null when it is intact. */
export async function checkFile(
  path: string,
  f: ManifestFile,
  signal?: AbortSignal,
): Promise<DamagedFile | null> {
  let st: Deno.FileInfo;
  try {
    st = await Deno.lstat(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return { path, problem: "missing", detail: "listed but absent" };
    throw err;
  }
  if (!st.isFile) return { path, problem: "not_a_file", detail: "not a regular file" };
  if (st.size !== f.size) {
    return { path, problem: "size", detail: `size ${st.size} bytes, manifest ${f.size}` };
  }
  const d = await digestFile(path, signal);
  if (d.blake3 === f.blake3) return null;
  const want = decodeBlocks({ size: f.size, blake3: f.blake3, blockSize: f.block_size, blocks: f.blocks });
  const got = decodeBlocks(d);
  const bad: number[] = [];
  for (let i = 0; i < want.length / 8; i++) {
    for (let k = 0; k < 8; k++) {
      if (want[i * 8 + k] !== got[i * 8 + k]) {
        bad.push(i);
        break;
      }
    }
  }
  const where = bad.length > 0
    ? `; damaged block(s) at byte ${bad.slice(0, 5).map((i) => i * f.block_size).join(", ")}` +
      (bad.length > 5 ? ` and ${bad.length - 5} more` : "")
    : "";
  return { path, problem: "checksum", detail: `BLAKE3 ${d.blake3}, manifest ${f.blake3}${where}` };
}

async function strays(dir: string, m: Manifest): Promise<DamagedFile[]> {
  const listed = new Set(m.files.map(relPath));
  const dts = new Set(m.files.map((f) => `dt=${f.dt}`));
  const out: DamagedFile[] = [];
  for (const e of await listDir(dir)) {
    const p = join(dir, e.name);
    if (e.name === MANIFEST_NAME) continue;
    if (!e.isDirectory || !dts.has(e.name)) {
      out.push({ path: p, problem: "stray", detail: "not listed in the manifest" });
      continue;
    }
    for (const f of await listDir(p)) {
      if (!listed.has(`${e.name}/${f.name}`)) {
        out.push({ path: join(p, f.name), problem: "stray", detail: "not listed in the manifest" });
      }
    }
  }
  return out;
}

export interface VerifyOptions {
  signal?: AbortSignal;
  onFile?: (done: number, total: number) => void;
}

export async function verifyTable(root: string, table: string, o: VerifyOptions = {}): Promise<VerifyReport> {
  const report: VerifyReport = {
    table,
    root,
    layout: "empty",
    snapshot: null,
    files: 0,
    bytes: 0,
    damaged: [],
    ok: true,
  };
  let cur: CurrentSnapshot | null;
  try {
    cur = await readCurrent(root);
  } catch (err) {
    report.damaged.push({ path: join(root, CURRENT), problem: "current", detail: (err as Error).message });
    report.ok = false;
    return report;
  }
  if (!cur) {
    if ((await listLegacyFiles(root)).length > 0) {
      throw new InputError(
        `table ${table} at ${root} uses the wave-1 layout, which has no checksums to verify; convert it ` +
          `with 'cryptorun cold upgrade' (or any write), then verify`,
      );
    }
    return report;
  }
  report.layout = "snapshot";
  report.snapshot = cur.version;
  let m: Manifest;
  try {
    m = await readManifest(cur.dir, { validate: true });
    if (m.version !== cur.version || m.table !== table) {
      throw new InputError(`holds table ${m.table} version ${m.version}, expected ${table} v${cur.version}`);
    }
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    report.damaged.push({ path: join(cur.dir, MANIFEST_NAME), problem: "manifest", detail: err.message });
    report.ok = false;
    return report;
  }
  report.files = m.files.length;
  for (const [i, f] of m.files.entries()) {
    o.signal?.throwIfAborted();
    const d = await checkFile(filePath(cur.dir, f), f, o.signal);
    if (d) report.damaged.push(d);
    report.bytes += f.size;
    o.onFile?.(i + 1, m.files.length);
  }
  report.damaged.push(...await strays(cur.dir, m));
  report.ok = report.damaged.length === 0;
  return report;
}
