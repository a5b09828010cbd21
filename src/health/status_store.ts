import { join } from "node:path";
import { z } from "zod";
import { redact } from "../log/redact.ts";
import { atomicWriteFile } from "../util/atomic_write.ts";
import { readStateFile } from "../util/state_file.ts";

/**
 * Component status files: how a long-running process (`serve` and its schedulers, an ingest loop) tells a
 * later `cryptorun health` about its last success, its last error and its backlogs. One small JSON file per
 * component under `<data-dir>/health/components/`, replaced atomically (temp file + rename).
 */
export const ComponentStatusSchema = z.strictObject({
  /** e.g. "scheduler.scan", "scheduler.ingest", "provider.kraken". */
  component: z.string().regex(/^[a-z0-9_.-]{1,64}$/),
  /** Epoch ms of this status. */
  updated_at: z.number().int().nonnegative(),
  /** Epoch ms of the last success (null = never succeeded). */
  last_success_at: z.number().int().nonnegative().nullable(),
  /** The last error (redacted message); stays set after a later success so it can still be shown. */
  last_error: z.strictObject({ at: z.number().int().nonnegative(), message: z.string() }).nullable(),
  /** Failures since the last success; > 0 means the component is failing now. */
  consecutive_failures: z.number().int().nonnegative(),
  /** Queue/backlog sizes, by queue name. */
  backlog: z.record(z.string(), z.number().int().nonnegative()).default({}),
  /** running: the component reports every `interval_ms` (silence means it died); stopped: shut down cleanly. */
  state: z.enum(["running", "stopped"]).default("running"),
  /** How often a running component updates this file (null: no cadence to check). */
  interval_ms: z.number().int().positive().nullable().default(null),
});
export type ComponentStatus = z.infer<typeof ComponentStatusSchema>;
export type ComponentStatusInput = z.input<typeof ComponentStatusSchema>;

export function statusDir(dataDir: string): string {
  return join(dataDir, "health", "components");
}

/** Writes one component's status atomically (the message is redacted first). */
export async function writeComponentStatus(dataDir: string, status: ComponentStatusInput): Promise<void> {
  const clean = ComponentStatusSchema.parse({
    ...status,
    last_error: status.last_error
      ? { at: status.last_error.at, message: redact(status.last_error.message).slice(0, 500) }
      : null,
  });
  await atomicWriteFile(
    join(statusDir(dataDir), `${clean.component}.json`),
    JSON.stringify(clean, null, 2) + "\n",
  );
}

export interface StatusReadResult {
  statuses: ComponentStatus[];
  /** Files that could not be parsed: `file: reason` (reported by the components check, never silently skipped). */
  invalid: string[];
}

/** Reads every component status; a missing directory means none. */
export async function readComponentStatuses(dataDir: string): Promise<StatusReadResult> {
  const dir = statusDir(dataDir);
  const out: StatusReadResult = { statuses: [], invalid: [] };
  let entries: Deno.DirEntry[] = [];
  try {
    entries = await Array.fromAsync(Deno.readDir(dir));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return out;
    throw err;
  }
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (!e.isFile || !e.name.endsWith(".json")) continue;
    const file = join(dir, e.name);
    try {
      const st = await readStateFile(file, ComponentStatusSchema);
      if (st.status === "ok") out.statuses.push(st.value);
      else if (st.status === "invalid") out.invalid.push(`${file}: ${st.reason}`);
    } catch (err) {
      out.invalid.push(`${file}: ${(err as Error).message.split("\n")[0]}`);
    }
  }
  return out;
}
