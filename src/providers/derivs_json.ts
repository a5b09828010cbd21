import { z } from "zod";
import { InputError, show } from "../util/errors.ts";
import { issueText } from "../util/zod_issue.ts";
import { checkTime } from "../util/time.ts";

/**
 * Shared boundary helpers of the derivatives adapters: a body that is not JSON (an HTML error page from a
 * venue's edge) is a clear error, a number may come as a JSON number or as decimal text (OKX, Coinbase and
 * ccxt's captures send text) but never as other text, and a zod failure names the field and the value.
 */

/** Decimal text: -12, 0.5, 1e-05, 23062948.000000000000000. */
export const DECIMAL_RE = /^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

/** A finite number, given as a JSON number or decimal text. */
export const Num = z.union([
  z.number().finite(),
  z.string().regex(DECIMAL_RE, "expected a number or decimal text").transform(Number),
]);

/** An epoch-ms time as a JSON integer or integer text. */
export const MsTime = z.union([
  z.number().int().safe(),
  z.string().regex(/^\d{1,16}$/, "expected epoch milliseconds").transform(Number),
]);

/** An ISO-8601 UTC time → epoch ms. */
export const IsoTime = z.string().transform((s, ctx) => {
  const r = /^\d{4}-\d\d-\d\dT/.test(s) ? checkTime(s) : { ok: false as const, reason: "no time of day" };
  if (r.ok) return r.ms;
  ctx.addIssue({ code: "custom", message: `expected an ISO-8601 time (${r.reason})` });
  return z.NEVER;
});

/** Parses a response body's text as JSON; HTML or other text is refused with its start. */
export function parseBody(text: string, what: string): unknown {
  const t = text.trimStart();
  if (t.startsWith("<")) {
    throw new InputError(`${what}: the venue answered HTML, not JSON (starts with ${show(t.slice(0, 40))})`);
  }
  try {
    return JSON.parse(t); // t: a leading byte-order mark (a file saved by an editor) is dropped too
  } catch (err) {
    throw new InputError(
      `${what}: response is not JSON (${(err as Error).message}; starts with ${show(t.slice(0, 40))})`,
    );
  }
}

/** Validates `input` with `schema`; a failure is an InputError naming the field and the value. */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw new InputError(`${what}: ${issueText(r.error, input, "(body)")}`);
  return r.data;
}
