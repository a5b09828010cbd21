import { z } from "zod";

/** One move journal file (`<data-dir>/cold/_moves/<id>.json`, move_journal.ts): its schema, "cryptorun-cold-move". */
export const MoveJournal = z.strictObject({
  format: z.literal("cryptorun-cold-move"),
  format_version: z.literal(1),
  id: z.string().regex(/^[a-z0-9-]+$/, "expected lower-case letters, digits and dashes"),
  /** "move", or "delete" (to is null). */
  kind: z.enum(["move", "delete"]),
  from: z.string(),
  to: z.string().nullable(),
  created_at: z.iso.datetime(),
  command: z.string(),
  keys: z.array(z.record(z.string(), z.union([z.number(), z.string(), z.null()]))),
});
export type MoveJournal = z.infer<typeof MoveJournal>;
