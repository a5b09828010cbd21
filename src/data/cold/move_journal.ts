import { join } from "node:path";
import { InputError } from "../../util/errors.ts";
import type { TableCore } from "./table.ts";
import { listDir } from "./table_dir.ts";
import { loadEntry } from "../../util/entries.ts";
import type { MoveJournal } from "./move_journal_schema.ts";

/**
 * The journal of row moves between tables (move.ts): one file per move in flight,
 * `<data-dir>/cold/_moves/<id>.json`, deleted when both commits are done. A file left there is a move a
 * crash interrupted; the next move touching its tables completes it. Reading it needs no writer stack, and
 * its schema (zod) is loaded only when a journal is there: every read asks, almost none finds one.
 */

export const MOVES_DIR = join("cold", "_moves");

export type { MoveJournal } from "./move_journal_schema.ts";

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
    const { MoveJournal } = await loadEntry<typeof import("./move_journal_schema.ts")>(
      "data/cold/move_journal_schema.ts",
    );
    const r = MoveJournal.safeParse(json);
    if (!r.success) {
      const i = r.error.issues[0];
      throw new InputError(`${path}: not a move journal: ${i.path.join(".") || "(root)"}: ${i.message}`);
    }
    out.push(r.data);
  }
  return out.sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0));
}
