/** Flag-value helpers shared by the subcommands: every bad value is a UsageError (exit 2) naming the flag. */
import type { ParsedArgs } from "./command.ts";
import { UsageError } from "../util/errors.ts";
import { normalizeSymbol, USD_PAIR_RE } from "../market/symbols.ts";

/** A string flag's value, or undefined when it was not given. An empty (or blank) value is refused. */
export function str(args: ParsedArgs, name: string): string | undefined {
  const v = args.values[name];
  if (v === undefined) return undefined;
  if (typeof v !== "string" || v.trim() === "") {
    throw new UsageError(`--${name}: expected a value, found ${JSON.stringify(v)}`);
  }
  return v;
}

/**
 * A positive integer flag (decimal digits, surrounding blanks ignored) no larger than `max`, or undefined
 * when it was not given. Refuses 0, signs, fractions, exponents and anything above `max` — which also keeps
 * out values beyond Number.MAX_SAFE_INTEGER ("99999999999999999999" would silently round).
 */
export function positiveInt(args: ParsedArgs, name: string, max: number): number | undefined {
  const v = str(args, name);
  if (v === undefined) return undefined;
  const t = v.trim();
  const n = Number(t);
  if (!/^\d+$/.test(t) || n <= 0) {
    throw new UsageError(`--${name}: expected a positive integer, found ${JSON.stringify(v)}`);
  }
  if (!Number.isSafeInteger(n) || n > max) {
    throw new UsageError(
      `--${name}: expected a positive integer at most ${max}, found ${JSON.stringify(v)}`,
    );
  }
  return n;
}

/**
 * A comma-separated list of pairs, normalised as `cold write` normalises its input (`xbt-usd` → `BTC/USD`),
 * so a pair that was written is a pair that is found; undefined when the flag was not given. A name that is
 * still not a USD pair is refused (it would match no row and silently select nothing).
 */
export function symbolsFlag(args: ParsedArgs, name: string): string[] | undefined {
  const raw = str(args, name)?.split(",").map((s) => s.trim()).filter((s) => s !== "");
  return raw?.map((s) => {
    const n = normalizeSymbol(s);
    if (!USD_PAIR_RE.test(n)) {
      throw new UsageError(`--${name}: expected USD pairs like BTC/USD, found ${JSON.stringify(s)}`);
    }
    return n;
  });
}
