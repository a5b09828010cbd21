import type { z } from "zod";
import { InputError } from "../util/errors.ts";
import { issueText } from "../util/zod_issue.ts";

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
  throw new InputError(
    `${what}: ${row !== undefined ? `row ${row}: ` : ""}${issueText(r.error, value, "(row)")}`,
  );
}
