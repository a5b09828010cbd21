import type { z } from "zod";
import { show } from "./errors.ts";

/**
 * The one way a failed zod parse becomes text: `field: reason, found value` (the field path, zod's message
 * without its "Invalid input: " prefix, and the offending value as it was given). Every bad-input error built
 * from a schema (config, files, messages, rows, state files) uses it, so they all name the field and the value.
 */

/** The value at `path` inside `input`; undefined when any step is missing or not an object. */
export function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur = input;
  for (const k of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[k];
  }
  return cur;
}

/** A value for an error message: "nothing" when absent, numbers as written (NaN too), else `show`. */
export function shown(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "number") return String(value);
  return show(value);
}

export interface IssueParts {
  /** Dotted path of the field (`kraken.symbols.0`), or the given root name for the whole value. */
  field: string;
  /** Why it was refused. */
  reason: string;
  /** The offending value, rendered for a message. */
  found: string;
}

/** One issue of a parse of `input` as parts (an unknown key is reported as that key, "unknown key"). */
export function issueParts(issue: z.core.$ZodIssue, input: unknown, root = "(root)"): IssueParts {
  const path = issue.path;
  if (issue.code === "unrecognized_keys") {
    const key = (issue as { keys: string[] }).keys[0];
    const at = [...path, key];
    return { field: at.join("."), reason: "unknown key", found: shown(valueAt(input, at)) };
  }
  return {
    field: path.length ? path.join(".") : root,
    reason: issue.message.replace(/^Invalid input: /, ""),
    found: shown(valueAt(input, path)),
  };
}

/** `field: reason, found value` for the first issue of `err`, a failed parse of `input`. */
export function issueText(err: z.ZodError, input: unknown, root = "(root)"): string {
  const p = issueParts(err.issues[0], input, root);
  return `${p.field}: ${p.reason}, found ${p.found}`;
}
