import { UsageError } from "./errors.ts";

/**
 * A closed time window [from, to] in epoch milliseconds (UTC). Both bounds are inclusive everywhere in
 * CryptoRun: PIT reads never return ts > to. Use `fromExclusive`-style arithmetic (to - 1) at call sites
 * that need a half-open window.
 */
export interface TimeRange {
  from: number;
  to: number;
}

/** The result of reading a time string: epoch milliseconds, or why the text is not a time. */
export type TimeCheck = { ok: true; ms: number } | { ok: false; reason: string };

/** Epoch milliseconds are exactly 13 digits: 1000000000000 (2001-09-09T01:46:40Z) … 9999999999999 (2286). */
const EPOCH_MS_RE = /^[1-9]\d{12}$/;
/** YYYY-MM-DD, then optionally T (or t, or one space) hh:mm[:ss[.fraction]] and optionally a zone. */
const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?)?/;
/** Real UTC offsets run from -12:00 to +14:00; anything beyond ±14:00 is a typo. */
const MAX_OFFSET_MIN = 14 * 60;
const MONTHS = "January February March April May June July August September October November December"
  .split(" ");

/** Days in a month of the proleptic Gregorian calendar (month 1–12). */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

const fail = (reason: string): TimeCheck => ({ ok: false, reason });

/** Why a string of digits (maybe signed, maybe a float) is not epoch milliseconds; null when it is. */
function epochProblem(t: string): string | null {
  if (EPOCH_MS_RE.test(t)) return null;
  if (!/^\d+$/.test(t.replace(/^-/, ""))) {
    return "epoch milliseconds must be a plain integer (no sign, fraction or exponent)";
  }
  if (t.startsWith("-")) return "a negative epoch (before 1970) is not a plausible market time";
  const digits = t.replace(/^0+/, "").length;
  if (digits === 9 || digits === 10) {
    const ms = Number(t) * 1000;
    return `looks like epoch SECONDS (${digits} digits; epoch milliseconds have 13): multiply by 1000 ` +
      `(${ms} = ${new Date(ms).toISOString()})`;
  }
  if (digits === 16) {
    return "looks like epoch MICROseconds (16 digits; epoch milliseconds have 13): divide by 1000";
  }
  if (digits === 19) {
    return "looks like epoch NANOseconds (19 digits; epoch milliseconds have 13): divide by 1000000";
  }
  if (/^\d{4}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$/.test(t)) {
    return `looks like a compact date: write it as ${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6)}`;
  }
  return "not plausible epoch milliseconds: expected exactly 13 digits (2001-09-09 … 2286-11-20)";
}

/** Why a string that is not ISO-8601 as we accept it fails, for the common ambiguous forms. */
function formProblem(t: string): string {
  if (/^\d{1,4}\/\d{1,2}\/\d{1,4}/.test(t) || /^\d{4}\/\d{2}/.test(t)) {
    return "slashes are ambiguous (day/month or month/day?): write YYYY-MM-DD";
  }
  if (/^\d{1,2}[-.]\d{1,2}[-.]\d{4}/.test(t)) return "day-month-year order is ambiguous: write YYYY-MM-DD";
  if (/^\d{2}-\d{1,2}-\d{1,2}(?:$|[Tt ])/.test(t)) {
    return "a 2-digit year is ambiguous: write the year with 4 digits";
  }
  if (/^\d{1,2}-\d{1,2}(?:$|[Tt ])/.test(t)) {
    return "a date without a 4-digit year is ambiguous: write YYYY-MM-DD";
  }
  if (/^\d{4}-\d{1,2}-\d{1,2}(?:$|[Tt ])/.test(t)) {
    return "month and day need 2 digits each: write YYYY-MM-DD";
  }
  if (/^\d{4}-\d{2}-\d{2}[Tt ]\d{1,2}(?::\d{1,2})*(?:$|[Zz+-])/.test(t)) {
    return "expected hh:mm or hh:mm:ss with 2 digits each";
  }
  return "expected ISO-8601 time or epoch ms";
}

/**
 * The one time parser of CryptoRun: every time string that enters the program (flags, CSV rows, fixtures,
 * messages, config and env values) goes through it. Pure; never throws. Accepted:
 *  - ISO-8601 / RFC 3339: `YYYY-MM-DD` (= 00:00 UTC), `YYYY-MM-DDThh:mm`, `…:ss`, `…:ss.fff` (T, t or one
 *    space), with `Z` or an offset `±hh:mm`/`±hhmm` of at most ±14:00. NO ZONE MEANS UTC (never the machine's
 *    local time). Fractional seconds beyond milliseconds (up to 9 digits) are truncated toward the past
 *    (…59.9999 → …59.999): stored times are integer milliseconds and a truncated `--to` still reads nothing
 *    after the time given.
 *  - Epoch milliseconds: exactly 13 digits (2001-09-09 … 2286-11-20). 10 digits are epoch seconds, 16 µs, 19 ns:
 *    all refused with the conversion to do, never guessed.
 * Refused with the reason: impossible dates (2021-02-29, 2019-04-31, day 00, month 13), hour 24, minute 60,
 * second 60 (leap seconds: Unix time has none — write :59.999), offsets beyond ±14:00, slashes, 2-digit or
 * missing years, trailing characters. Surrounding blanks are ignored.
 */
export function checkTime(value: string): TimeCheck {
  const t = value.trim();
  if (t === "") return fail("empty");
  if (/^[+-]?[\d.]+(?:e[+-]?\d+)?$/i.test(t) && /\d/.test(t)) {
    const p = epochProblem(t);
    return p === null ? { ok: true, ms: Number(t) } : fail(p);
  }
  const m = ISO_RE.exec(t);
  if (!m) return fail(formProblem(t));
  if (m[0].length !== t.length) {
    const rest = t.slice(m[0].length);
    if (/^(?:\.\d|:\d|[Tt ]\d)/.test(rest)) return fail("expected hh:mm or hh:mm:ss with 2 digits each");
    return fail(`trailing characters ${JSON.stringify(rest)} after the time`);
  }
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12) return fail(`month ${m[2]} does not exist (01–12)`);
  const dim = daysInMonth(year, month);
  if (day < 1 || day > dim) {
    return fail(
      day < 1 ? `day ${m[3]} does not exist` : `${MONTHS[month - 1]} ${m[1]} has ${dim} days, not ${day}`,
    );
  }
  const [hour, minute, second] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  if (hour > 23) return fail(`hour ${m[4]} is out of range (00–23; midnight is 00:00 of the next day)`);
  if (minute > 59) return fail(`minute ${m[5]} is out of range (00–59)`);
  if (second === 60) {
    return fail("second 60 (a leap second) is not accepted: Unix time has no leap seconds; write :59.999");
  }
  if (second > 59) return fail(`second ${m[6]} is out of range (00–59)`);
  const frac = m[7] ?? "";
  if (frac.length > 9) return fail(`more than 9 fractional digits of a second (${frac.length})`);
  const millis = Number(frac.slice(0, 3).padEnd(3, "0"));
  let offsetMin = 0;
  if (m[9] !== undefined) {
    const [oh, om] = [Number(m[10]), Number(m[11])];
    if (om > 59) return fail(`offset minutes ${m[11]} are out of range (00–59)`);
    offsetMin = oh * 60 + om;
    if (offsetMin > MAX_OFFSET_MIN) return fail(`offset ${m[9]}${m[10]}:${m[11]} is beyond ±14:00`);
    if (m[9] === "-") offsetMin = -offsetMin;
  }
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, millis);
  return { ok: true, ms: d.getTime() - offsetMin * 60_000 };
}

/** `checkTime`'s milliseconds, or NaN when the text is not a time (for row checks that report NaN later). */
export function timeOrNaN(value: string): number {
  const r = checkTime(value);
  return r.ok ? r.ms : NaN;
}

/**
 * Parses a time given on the command line or in config (`checkTime`'s rules). Throws UsageError (exit 2)
 * `<what>: <reason>, found "<value>"`.
 */
export function parseTime(value: string, what: string): number {
  const r = checkTime(value);
  if (!r.ok) throw new UsageError(`${what}: ${r.reason}, found ${JSON.stringify(value)}`);
  return r.ms;
}

/** Parses both ends of a window; `from` must not be after `to`. */
export function parseRange(from: string, to: string): TimeRange {
  const r = { from: parseTime(from, "--from"), to: parseTime(to, "--to") };
  if (r.from > r.to) {
    throw new UsageError(`--from ${from} is after --to ${to}`);
  }
  return r;
}

/** Parses durations like 60s, 5m, 4h, 2d, 1500ms (→ milliseconds). */
export function parseDuration(value: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(value.trim());
  if (!m) {
    const neg = /^\s*-/.test(value) ? " (negative: a duration is never below 0)" : "";
    throw new UsageError(
      `${what}: expected a duration like 60s, 5m, 4h${neg}, found ${JSON.stringify(value)}`,
    );
  }
  const mult = { ms: 1, s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 }[m[2] as "ms" | "s" | "m" | "h" | "d"];
  return Math.round(Number(m[1]) * mult);
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
/**
 * The longest delay `setTimeout`/`setInterval` honour (2^31 - 1 ms, about 24.8 days). A longer one overflows and
 * fires after ~1 ms, so every configured interval or timeout that feeds a timer must stay at or below this.
 */
export const MAX_TIMER_MS = 2_147_483_647;

export function isoMs(ms: number): string {
  return new Date(ms).toISOString();
}

/** UTC day string YYYY-MM-DD of an epoch-ms time. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

const HTTP_DATE_RE =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;

/**
 * An HTTP date (RFC 9110 IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`, as in Retry-After) → epoch ms; NaN for
 * any other form or an impossible date (the obsolete RFC 850 and asctime forms are not accepted).
 */
export function httpDateMs(value: string): number {
  const m = HTTP_DATE_RE.exec(value.trim());
  if (!m) return NaN;
  const month = "JanFebMarAprMayJunJulAugSepOctNovDec".indexOf(m[2]) / 3 + 1;
  const mm = String(month).padStart(2, "0");
  return timeOrNaN(`${m[3]}-${mm}-${m[1]}T${m[4]}:${m[5]}:${m[6]}Z`);
}
