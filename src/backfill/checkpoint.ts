import { join } from "node:path";
import { z } from "zod";
import { atomicWriteFile } from "../util/atomic_write.ts";
import { InputError } from "../util/errors.ts";
import { readStateFile } from "../util/state_file.ts";

/**
 * The backfill checkpoint of one (venue, symbol): where its run started, the last minute whose bar (or
 * confirmed absence of trades) is committed to the cold tier, and the venue cursor to resume from (the ns
 * cursor of the minute after it, so a resumed run re-reads that minute's trades whole). Written atomically
 * (temp file, fsync, rename) only AFTER the bars up to `last_minute` are committed: a kill -9 anywhere
 * leaves a checkpoint that is behind the cold tier at worst, never ahead of it.
 */

export const CheckpointSchema = z.strictObject({
  version: z.literal(1),
  venue: z.string().min(1),
  symbol: z.string().min(1),
  table: z.string().min(1),
  /** The first minute of the run (epoch ms). */
  from: z.number().int(),
  /** The last minute committed (epoch ms; from − 60 000 before any). */
  last_minute: z.number().int(),
  /** Venue cursor to resume from (Kraken: ns since the epoch). */
  cursor: z.string().regex(/^\d+$/),
  updated_at: z.string(),
});
export type Checkpoint = z.infer<typeof CheckpointSchema>;

export function checkpointPath(dataDir: string, venue: string, symbol: string): string {
  return join(dataDir, "backfill", "checkpoints", venue, `${symbol.replace("/", "-")}.json`);
}

/** The checkpoint, or null when there is none; an unreadable one is an error naming the file and field. */
export async function readCheckpoint(path: string): Promise<Checkpoint | null> {
  const s = await readStateFile(path, CheckpointSchema);
  if (s.status === "missing") return null;
  if (s.status === "invalid") {
    throw new InputError(`backfill checkpoint ${path}: ${s.reason} (delete it to start that symbol over)`);
  }
  return s.value;
}

export async function writeCheckpoint(path: string, c: Omit<Checkpoint, "version" | "updated_at">) {
  const full: Checkpoint = { version: 1, ...c, updated_at: new Date().toISOString() };
  await atomicWriteFile(path, JSON.stringify(full, null, 2) + "\n");
}
