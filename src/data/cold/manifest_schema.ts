import { z } from "zod";
import { BASE64, DT_RE, FORMAT, HEX64, OPERATIONS, PART_NAME_RE, relPath } from "./manifest.ts";

/**
 * The schema of a table manifest (manifest.ts): checked before a manifest is sealed, and by `cold verify`
 * and `cold replicate`. Loaded at run time (src/util/entries.ts), so that a read never loads zod.
 */

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
  blocks: z.string().regex(BASE64, "expected base64"),
});
export type ManifestFile = z.infer<typeof ManifestFile>;

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

/** The first problem of `json` as a manifest ("path: message"), or undefined when the schema accepts it. */
export function manifestIssue(json: unknown): string | undefined {
  const r = Manifest.safeParse(json);
  if (r.success) return undefined;
  const i = r.error.issues[0];
  return `${i.path.join(".") || "(root)"}: ${i.message}`;
}
