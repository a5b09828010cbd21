import { join } from "node:path";
import { InputError } from "../../util/errors.ts";
import { blake3Hex, type FileDigest, loadHashers } from "./checksum.ts";
import { loadEntry } from "../../util/entries.ts";
import type { Manifest, ManifestFile } from "./manifest_schema.ts";

/**
 * The manifest of one table snapshot (`_snapshots/vNNNNNNNN/_manifest.json`): a versioned log entry in the
 * manner of Delta Lake / Iceberg — version, parent, the operation that made it, what it added and removed —
 * plus the full list of the snapshot's files with, per file, its partition, name, format and codec, size,
 * rows, ts range and checksums (whole-file BLAKE3, per-block xxHash64). Readers read exactly these files.
 *
 * The file checks itself: it starts with `{"checksum":"blake3:<64 hex>"`, the BLAKE3 of the whole file with
 * those 64 hex digits written as zeros. A manifest that does not verify or parse is an error naming it —
 * never an empty table.
 *
 * Validated on write, verified on read: `encodeManifest` checks the body against the schema
 * (manifest_schema.ts, zod) before it seals it, so a sealed manifest is one the schema accepted. A read
 * verifies the seal, the format and its version, and does not load the schema (zod is a third of a fresh
 * `cold dump`'s start-up, issue #21); `cold verify` and `cold replicate` (a copy from elsewhere) check the
 * whole schema again (`{ validate: true }`). A manifest edited by hand and sealed again is only caught there.
 */

export const MANIFEST_NAME = "_manifest.json";
export const FORMAT = "cryptorun-cold-manifest";
export const DT_RE = /^\d{4}-\d{2}-\d{2}$/;
export const PART_NAME_RE = /^part-(\d{5,})\.(parquet|csv|csv\.gz|csv\.lz4)$/;
export const HEX64 = /^[0-9a-f]{64}$/;

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

export type { Manifest, ManifestFile } from "./manifest_schema.ts";

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
  const issue = (await schema()).manifestIssue({ checksum: `blake3:${ZEROS}`, ...body });
  if (issue !== undefined) throw new Error(`refusing to seal an invalid table manifest: ${issue}`);
  const text = JSON.stringify({ checksum: `blake3:${ZEROS}`, ...body });
  const bytes = new TextEncoder().encode(text);
  const hex = await blake3Hex(bytes);
  bytes.set(new TextEncoder().encode(hex), PREFIX.length);
  return bytes;
}

/** The manifest schema (zod), loaded by a write and by a full validation only. */
const schema = () => loadEntry<typeof import("./manifest_schema.ts")>("data/cold/manifest_schema.ts");

/** `validate`: check the whole schema and its invariants, not only the seal, format and version. */
export interface DecodeOptions {
  validate?: boolean;
}

/** Verifies and parses a manifest's bytes; errors name `path` and what is wrong. */
export async function decodeManifest(
  bytes: Uint8Array,
  path: string,
  opts: DecodeOptions = {},
): Promise<Manifest> {
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
  const top = json as { format?: unknown; format_version?: unknown };
  if (top.format !== FORMAT) {
    throw damaged(`format: expected ${FORMAT}, found ${JSON.stringify(top.format)}`);
  }
  if (top.format_version !== 1) {
    throw damaged(`format_version: expected 1, found ${JSON.stringify(top.format_version)}`);
  }
  const issue = opts.validate ? undefined : readerIssue(json as Record<string, unknown>);
  if (issue !== undefined) throw damaged(issue);
  if (opts.validate) {
    const issue = (await schema()).manifestIssue(json);
    if (issue !== undefined) throw damaged(issue);
  }
  return json as Manifest;
}

const isInt = (v: unknown, min: number): boolean => Number.isSafeInteger(v) && (v as number) >= min;
const isStr = (v: unknown, re?: RegExp): boolean => typeof v === "string" && (re === undefined || re.test(v));
export const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * What a read relies on, checked without zod: the table, the version and every file entry's fields (types,
 * ranges, and the partition and part name that make its path — no `..` can reach outside the snapshot). The
 * same constraints as the schema's (manifest_schema.ts; tests/data/cold/manifest_test.ts holds them to it);
 * the schema's cross-field invariants (`part_seq`, `added`, no file twice) are the writer's and verify's.
 */
function readerIssue(m: Record<string, unknown>): string | undefined {
  if (!isStr(m.table) || m.table === "") {
    return `table: expected a table name, found ${JSON.stringify(m.table)}`;
  }
  if (!isInt(m.version, 1)) return `version: expected a positive integer, found ${JSON.stringify(m.version)}`;
  if (!Array.isArray(m.files)) return `files: expected an array`;
  for (let i = 0; i < m.files.length; i++) {
    const f = m.files[i] as Record<string, unknown> | null;
    if (f === null || typeof f !== "object" || Array.isArray(f)) return `files.${i}: expected an object`;
    const bad = (field: string, want: string) =>
      `files.${i}.${field}: expected ${want}, found ${JSON.stringify(f[field])}`;
    if (!isStr(f.dt, DT_RE)) return bad("dt", "YYYY-MM-DD");
    if (!isStr(f.name, PART_NAME_RE)) return bad("name", "part-NNNNN.<parquet|csv|csv.gz|csv.lz4>");
    if (f.format !== "parquet" && f.format !== "csv") return bad("format", "parquet or csv");
    if (!isStr(f.codec) || f.codec === "") return bad("codec", "a codec name");
    for (const k of ["size", "rows", "row_groups"]) if (!isInt(f[k], 0)) return bad(k, "an integer ≥ 0");
    for (const k of ["min_ts", "max_ts"]) {
      if (f[k] !== null && !Number.isSafeInteger(f[k])) return bad(k, "an integer or null");
    }
    if (!isStr(f.blake3, HEX64)) return bad("blake3", "64 hex digits");
    if (!isInt(f.block_size, 1)) return bad("block_size", "a positive integer");
    if (!isStr(f.blocks, BASE64)) return bad("blocks", "base64");
  }
  return undefined;
}

/** Reads and verifies `<snapshotDir>/_manifest.json`. */
export async function readManifest(snapshotDir: string, opts: DecodeOptions = {}): Promise<Manifest> {
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
  return await decodeManifest(bytes, path, opts);
}
