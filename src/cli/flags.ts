/** Flag-value helpers shared by the subcommands: every bad value is a UsageError (exit 2) naming the flag. */
import type { OptionSpec, ParsedArgs } from "./command.ts";
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
    throw new UsageError(
      `--${name}: expected a positive integer, found ${JSON.stringify(v)}${numberProblem(t, n)}`,
    );
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

/** What is wrong with a number-like flag value, as a suffix (" (negative)"), or "" when it is not a number. */
export function numberProblem(t: string, n = Number(t)): string {
  if (t === "" || !Number.isFinite(n)) return "";
  if (n < 0 || Object.is(n, -0)) return " (negative)";
  if (n === 0) return " (zero)";
  if (!Number.isInteger(n)) return " (not a whole number)";
  if (!/^\d+$/.test(t)) return " (write plain digits)";
  return "";
}

/** A flag value that starts with `-` but is a number (`-1`, `-0.5`, `-1e3`), not another flag. */
const NEGATIVE_NUMBER_RE = /^-(?:\d|\.\d)/;

/**
 * node:util `parseArgs` refuses `--top -1` ("argument is ambiguous") because the value starts with `-`. A value
 * that is a negative number is joined to its flag (`--top=-1`), so the flag's own check can say what is wrong
 * (`--top: expected a positive integer, found "-1" (negative)`). Flags that take no value are left alone.
 */
export function joinNegativeValues(args: string[], options: OptionSpec): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") return [...out, ...args.slice(i)];
    const name = a.startsWith("--") && !a.includes("=") ? a.slice(2) : undefined;
    const next = args[i + 1];
    if (name && options[name]?.type === "string" && next !== undefined && NEGATIVE_NUMBER_RE.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/** A `parseArgs` error as one plain line: unknown flags, stray arguments, a flag whose value is missing. */
export function parseArgsMessage(err: unknown, args: string[]): string {
  const msg = String((err as Error)?.message ?? err).split("\n")[0];
  const amb = /^Option '(-[\w-]+|--[\w-]+)(?: <value>)?' argument is ambiguous/.exec(msg) ??
    /^Option '(?:-\w, )?(--[\w-]+)(?: <value>)?' argument missing/.exec(msg);
  if (amb) {
    const flag = amb[1];
    const next = args[args.indexOf(flag) + 1];
    if (next === undefined) return `${flag}: missing value`;
    return next.startsWith("--") || /^-\w$/.test(next)
      ? `${flag}: missing value (the next argument ${next} is a flag)`
      : `${flag}: missing value (the next argument ${JSON.stringify(next)} starts with "-"; ` +
        `for a value that starts with "-" write ${flag}=${next})`;
  }
  return msg
    .replace(/^Unknown option '(.*?)'.*$/, "unknown flag $1")
    .replace(/^Unexpected argument '(.*?)'.*$/, "unexpected argument $1");
}
