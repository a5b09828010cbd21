import { join } from "node:path";
import { z } from "zod";
import { InputError } from "../../util/errors.ts";
import { blake3Hex, type FileDigest, loadHashers } from "./checksum.ts";

/**
 * The manifest of one table snapshot (`_snapshots/vNNNNNNNN/_manifest.json`): a versioned log entry in the
 * manner of Delta Lake / Iceberg — version, parent, the operation that made it, what it added and removed —
 * plus the full list of the snapshot's files with, per file, its partition, name, format and codec, size,
 * rows, ts range and checksums (whole-file BLAKE3, per-block xxHash64). Readers read exactly these files.
 *
 * The file checks itself: it starts with `{"checksum":"blake3:<64 hex>"`, the BLAKE3 of the whole file with
 * those 64 hex digits written as zeros. A manifest that does not verify or parse is an error naming it —
 * never an empty table.
 */

export const MANIFEST_NAME = "_manifest.json";
const FORMAT = "cryptorun-cold-manifest";
const DT_RE = /^\d{4}-\d{2}-\d{2}$/;
export const PART_NAME_RE = /^part-(\d{5,})\.(parquet|csv|csv\.gz|csv\.lz4)$/;
const HEX64 = /^[0-9a-f]{64}$/;

export const ManifestFile = z.strictObject({
  dt: z.string().regex(DT_RE, "expected YYYY-MM-DD"),
  name: z.string().regex(PART_NAME_RE, "expected part-NNNNN.<parquet|csv|csv.gz|csv.lz4>"),
  format: z.enum(["parquet", "csv"]),
  /** Parquet codec (zstd, lz4 = LZ4_RAW, …) or CSV compression (gzip, lz4, none); informative. */
  codec: z.string().min(1),
  size: z.number().int().nonnegative(),
  rows: z.number().int().nonnegative(),
  min_ts: z.number().int().nullable(),
  max_ts: z.number().int().nullable(),
  /** Parquet row groups (0 for CSV). */
  row_groups: z.number().int().nonnegative(),
  blake3: z.string().regex(HEX64, "expected 64 hex digits"),
  block_size: z.number().int().positive(),
  /** xxHash64 of each block, 8 bytes each, concatenated, base64. */
  blocks: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, "expected base64"),
});
export type ManifestFile = z.infer<typeof ManifestFile>;

export const OPERATIONS = [
  "write",
  "compact",
  "repair",
  "upgrade",
  "quarantine",
  "import",
  "move",
  "delete",
] as const;
export type Operation = typeof OPERATIONS[number];

export const Manifest = z.strictObject({
  checksum: z.string().regex(/^blake3:[0-9a-f]{64}$/),
  format: z.literal(FORMAT),
  format_version: z.literal(1),
  table: z.string().min(1),
  version: z.number().int().positive(),
  parent: z.number().int().positive().nullable(),
  operation: z.enum(OPERATIONS),
  committed_at: z.iso.datetime(),
  committed_by: z.strictObject({ pid: z.number().int(), host: z.string(), command: z.string() }),
  /** Paths (`dt=…/part-…`) this commit added and removed. */
  added: z.array(z.string()),
  removed: z.array(z.string()),
  /** Next part number per partition: a part name is never reused for other bytes (see COLD.md). */
  part_seq: z.record(z.string().regex(DT_RE), z.number().int().nonnegative()),
  files: z.array(ManifestFile),
}).superRefine((m, ctx) => {
  const paths = new Set<string>();
  for (const f of m.files) {
    const p = relPath(f);
    if (paths.has(p)) ctx.addIssue({ code: "custom", message: `file ${p} listed twice`, path: ["files"] });
    paths.add(p);
    const part = PART_NAME_RE.exec(f.name);
    if (part && Number(part[1]) >= (m.part_seq[f.dt] ?? 0)) {
      ctx.addIssue({ code: "custom", message: `${p}: part number not below part_seq`, path: ["part_seq"] });
    }
  }
  for (const a of m.added) {
    if (!paths.has(a)) {
      ctx.addIssue({ code: "custom", message: `added ${a} is not in files`, path: ["added"] });
    }
  }
});
export type Manifest = z.infer<typeof Manifest>;

/** A manifest before it is sealed with its checksum. */
export type ManifestBody = Omit<Manifest, "checksum">;

/** `dt=YYYY-MM-DD/part-NNNNN.ext`: a file's path inside a snapshot directory. */
export function relPath(f: { dt: string; name: string }): string {
  return `dt=${f.dt}/${f.name}`;
}

export function filePath(snapshotDir: string, f: { dt: string; name: string }): string {
  return join(snapshotDir, `dt=${f.dt}`, f.name);
}

export function digestOf(f: ManifestFile): FileDigest {
  return { size: f.size, blake3: f.blake3, blockSize: f.block_size, blocks: f.blocks };
}

const PREFIX = '{"checksum":"blake3:';
const ZEROS = "0".repeat(64);

/** The manifest's bytes, sealed: the checksum field holds the BLAKE3 of the file with it zeroed. */
export async function encodeManifest(body: ManifestBody): Promise<Uint8Array> {
  const text = JSON.stringify({ checksum: `blake3:${ZEROS}`, ...body });
  const bytes = new TextEncoder().encode(text);
  const hex = await blake3Hex(bytes);
  bytes.set(new TextEncoder().encode(hex), PREFIX.length);
  return bytes;
}

/** Verifies and parses a manifest's bytes; errors name `path` and what is wrong. */
export async function decodeManifest(bytes: Uint8Array, path: string): Promise<Manifest> {
  const damaged = (why: string) =>
    new InputError(
      `${path}: the table manifest is damaged (${why}); the table cannot be read. Run ` +
        `'cryptorun cold verify' and 'cryptorun cold verify --repair-from <copy>'`,
    );
  const head = new TextDecoder().decode(bytes.subarray(0, PREFIX.length + 65));
  if (!head.startsWith(PREFIX) || !HEX64.test(head.slice(PREFIX.length, PREFIX.length + 64))) {
    throw damaged(`expected it to start with ${PREFIX}<64 hex digits>`);
  }
  const stored = head.slice(PREFIX.length, PREFIX.length + 64);
  const zeroed = bytes.slice();
  zeroed.set(new TextEncoder().encode(ZEROS), PREFIX.length);
  // The block hasher is needed next by every read: compile it while the manifest is hashed.
  const [computed] = await Promise.all([blake3Hex(zeroed), loadHashers()]);
  if (computed !== stored) throw damaged(`checksum mismatch: stored ${stored}, computed ${computed}`);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (err) {
    throw damaged(`not JSON: ${(err as Error).message}`);
  }
  const r = Manifest.safeParse(json);
  if (!r.success) {
    const i = r.error.issues[0];
    throw damaged(`${i.path.join(".") || "(root)"}: ${i.message}`);
  }
  return r.data;
}

/** Reads and verifies `<snapshotDir>/_manifest.json`. */
export async function readManifest(snapshotDir: string): Promise<Manifest> {
  const path = join(snapshotDir, MANIFEST_NAME);
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new InputError(
        `${path}: the table manifest is missing; the table cannot be read. Run 'cryptorun cold verify'`,
      );
    }
    throw err;
  }
  return await decodeManifest(bytes, path);
}
