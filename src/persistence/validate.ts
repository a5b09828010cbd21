import type { z } from "zod";
import { getPath } from "../config/load.ts";
import { InputError, show } from "../util/errors.ts";

/**
 * Validates one input row before any SQL runs. The error names the call, the row (when in a batch), the
 * field and the offending value: `trades.insertMany: row 3: side: Invalid option: expected one of
 * "buy"|"sell", found "hold"`.
 */
export function parseRow<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
  row?: number,
): z.infer<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue.path.length ? issue.path.join(".") : "(row)";
  const found = issue.path.length ? getPath(value, issue.path) : value;
  const msg = issue.message.replace(/^Invalid input: /, "");
  throw new InputError(
    `${what}: ${row !== undefined ? `row ${row}: ` : ""}${field}: ${msg}, found ${
      found === undefined ? "nothing" : typeof found === "number" ? String(found) : show(found)
    }`,
  );
}
