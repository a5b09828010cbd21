import { join } from "node:path";
import { z } from "zod";
import { InputError } from "../../util/errors.ts";
import type { TableCore } from "./table.ts";
import { listDir } from "./table_dir.ts";

/**
 * The journal of row moves between tables (move.ts): one file per move in flight,
 * `<data-dir>/cold/_moves/<id>.json`, deleted when both commits are done. A file left there is a move a
 * crash interrupted; the next move touching its tables completes it. Reading it needs no writer stack.
 */

export const MOVES_DIR = join("cold", "_moves");

export const MoveJournal = z.strictObject({
  format: z.literal("cryptorun-cold-move"),
  format_version: z.literal(1),
  id: z.string().regex(/^[a-z0-9-]+$/),
  /** "move", or "delete" (to is null). */
  kind: z.enum(["move", "delete"]),
  from: z.string(),
  to: z.string().nullable(),
  created_at: z.iso.datetime(),
  command: z.string(),
  keys: z.array(z.record(z.string(), z.union([z.number(), z.string(), z.null()]))),
});
export type MoveJournal = z.infer<typeof MoveJournal>;

/** How a move reaches tables by name (store.ts). */
export interface MoveEnv {
  dataDir: string;
  core(name: string): TableCore;
}

export const journalDir = (env: MoveEnv) => join(env.dataDir, MOVES_DIR);

/** The journals of interrupted moves, oldest first. */
export async function pendingMoves(env: MoveEnv): Promise<MoveJournal[]> {
  const out: MoveJournal[] = [];
  for (const e of await listDir(journalDir(env))) {
    if (!e.isFile || !e.name.endsWith(".json") || e.name.startsWith(".")) continue;
    const path = join(journalDir(env), e.name);
    let json: unknown;
    try {
      json = JSON.parse(await Deno.readTextFile(path));
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) continue; // finished meanwhile
      throw new InputError(`${path}: a move journal that cannot be read: ${(err as Error).message}`);
    }
    const r = MoveJournal.safeParse(json);
    if (!r.success) {
      const i = r.error.issues[0];
      throw new InputError(`${path}: not a move journal: ${i.path.join(".") || "(root)"}: ${i.message}`);
    }
    out.push(r.data);
  }
  return out.sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0));
}
