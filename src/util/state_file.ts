import type { z } from "zod";
import { issueText } from "./zod_issue.ts";

/**
 * Reading a small JSON state file (a checkpoint, a consumer offset, a component status) and validating it
 * with its schema. The caller decides what a missing or invalid file means (start over, rebuild, refuse);
 * `reason` says what is wrong, naming the field and the value. Writers use util/atomic_write.ts, so a reader
 * never sees half a file.
 */
export type StateFile<T> =
  | { status: "missing" }
  | { status: "ok"; value: T }
  | { status: "invalid"; reason: string };

export async function readStateFile<S extends z.ZodType>(
  path: string,
  schema: S,
): Promise<StateFile<z.infer<S>>> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return { status: "missing" };
    throw err;
  }
  return parseState(text, schema);
}

/** The same check for text already read. */
export function parseState<S extends z.ZodType>(text: string, schema: S): StateFile<z.infer<S>> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { status: "invalid", reason: `not JSON (${(err as Error).message})` };
  }
  const r = schema.safeParse(raw);
  if (!r.success) return { status: "invalid", reason: issueText(r.error, raw, "(top level)") };
  return { status: "ok", value: r.data };
}
