/**
 * The streaming message envelope (spec A2.2): every message on the bus is verifiable on its own.
 *
 * In memory an envelope is plain data whose `payload` is the raw JSON text (Go's json.RawMessage): its UTF-8
 * bytes are exactly the bytes that were hashed. On the wire (file sink line, Redis field, Kafka value,
 * Pulsar payload) it is one compact JSON object, see `encodeEnvelope`, with the payload embedded verbatim.
 *
 * Checksum (docs/STREAMING.md "Checksum"): lowercase hex of BLAKE3-256 over the concatenation
 *
 *     utf8(payload) || utf8(ts) || utf8(symbol) || utf8(source)
 *
 * with no separators, where `ts` is RFC 3339 in UTC with exactly three fraction digits
 * (`2024-01-02T03:04:05.678Z`, 24 bytes). The concatenation is unambiguous because every part has a strict
 * shape that `validate` enforces: the payload is valid JSON, `ts` is exactly 24 bytes of that form, `symbol`
 * has no lower-case letters and `source` starts with a lower-case letter — moving any byte across a boundary
 * breaks one of those rules.
 */
import { z } from "zod";
// The ES module build (the package's default entry is a UMD bundle that loads ~2× slower in Deno).
// @ts-types="hash-wasm/dist/lib/index.d.ts"
import { createBLAKE3 } from "hash-wasm/dist/index.esm.min.js";
import { InputError, show } from "../util/errors.ts";
import { checkTime, daysInMonth, isoMs } from "../util/time.ts";

/**
 * One BLAKE3 hasher (npm:hash-wasm), created when this module loads and synchronous from then on: a checksum
 * is `init → update → digest` on it (JS runs one at a time, so one shared hasher is safe). @noble/hashes gives
 * the same digests several times slower; tests keep it as the reference (tests/stream/envelope_test.ts).
 */
const hasher = await createBLAKE3(256);

export const ENVELOPE_VERSION = 1 as const;

/** RFC 3339, UTC, milliseconds: what `Date.prototype.toISOString` prints for years 0000–9999. */
export const TS_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** Pair names like BTC/USD (upper-case letters, digits, `/ . _ -`); never a lower-case letter. */
export const SYMBOL_RE = /^[A-Z0-9][A-Z0-9/._-]*$/;
/** Venue or pipe name like `kraken`, `cold:ohlcv`; starts with a lower-case letter. */
export const SOURCE_RE = /^[a-z][a-z0-9_.:/-]*$/;
export const CHECKSUM_RE = /^[0-9a-f]{64}$/;

export const Envelope = z.strictObject({
  /** RFC 3339 UTC with milliseconds. */
  ts: z.string(),
  symbol: z.string(),
  /** Venue or pipe name. */
  source: z.string(),
  /** Raw JSON text; its UTF-8 bytes are hashed as they are. */
  payload: z.string(),
  /** hex(blake3(payload || ts || symbol || source)). */
  checksum: z.string(),
  version: z.number(),
});
export type Envelope = z.infer<typeof Envelope>;

/** Every way an envelope can fail validation; each is its own kind (DLQ reason, metrics label). */
export const ENVELOPE_ERROR_KINDS = [
  "malformed", // not a JSON object with the envelope's fields and types
  "empty_field", // ts, symbol, source, payload or checksum is empty
  "unknown_version", // version is not 1
  "bad_ts", // not RFC 3339 UTC with milliseconds, or not a real instant
  "bad_symbol", // symbol has characters outside [A-Z0-9/._-]
  "bad_source", // source does not start with a lower-case letter or has other characters
  "bad_payload", // payload is not valid JSON (or contains a line break)
  "bad_checksum_format", // checksum is not 64 lower-case hex digits
  "checksum_mismatch", // recomputed checksum differs
] as const;
export type EnvelopeErrorKind = typeof ENVELOPE_ERROR_KINDS[number];

/** A validation failure: `kind` says which rule, `field` which field, the message shows the value. */
export class EnvelopeError extends InputError {
  override name = "EnvelopeError";
  constructor(readonly kind: EnvelopeErrorKind, readonly field: string, message: string) {
    super(`envelope ${field}: ${kind}: ${message}`);
  }
}

const enc = new TextEncoder();
let scratch = new Uint8Array(4096);

/** The exact bytes that are hashed: utf8(payload) || utf8(ts) || utf8(symbol) || utf8(source). */
export function checksumInput(e: Pick<Envelope, "payload" | "ts" | "symbol" | "source">): Uint8Array {
  const max = (e.payload.length + e.ts.length + e.symbol.length + e.source.length) * 3;
  if (scratch.length < max) scratch = new Uint8Array(Math.max(max, scratch.length * 2));
  let n = enc.encodeInto(e.payload, scratch).written;
  n = putShort(e.ts, n);
  n = putShort(e.symbol, n);
  n = putShort(e.source, n);
  if (n >= views.length) return scratch.subarray(0, n);
  let v = views[n];
  if (v === undefined || v.buffer !== scratch.buffer) v = views[n] = scratch.subarray(0, n);
  return v;
}

/** `scratch.subarray(0, n)` for small n, made once (the hasher takes a whole array; views cost GC time). */
const views: (Uint8Array | undefined)[] = new Array(4096);

/**
 * UTF-8 of a short string into `scratch` at `off` (returns the new end): a plain loop for ASCII (ts, symbol
 * and source almost always are; cheaper than a native call), TextEncoder otherwise.
 */
function putShort(s: string, off: number): number {
  const len = s.length;
  if (len > 64) return off + enc.encodeInto(s, scratch.subarray(off)).written;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) return off + enc.encodeInto(s, scratch.subarray(off)).written;
    scratch[off + i] = c;
  }
  return off + len;
}

/** hex(blake3(payload || ts || symbol || source)) — 64 lower-case hex digits. */
export function computeChecksum(e: Pick<Envelope, "payload" | "ts" | "symbol" | "source">): string {
  return blake3Hex(checksumInput(e));
}

/**
 * Whether `hex` is the checksum of `e`: 64 lower-case hex digits equal to the digest, compared byte by byte
 * with the binary digest, without printing the digest as text (what a consumer does for every envelope).
 * Anything else — another length, an upper-case or non-hex character — is false, so a caller that only needs
 * "valid or not" does not test CHECKSUM_RE first.
 */
export function checksumMatches(
  e: Pick<Envelope, "payload" | "ts" | "symbol" | "source">,
  hex: string,
): boolean {
  if (hex.length !== 64) return false;
  const d = hasher.init().update(checksumInput(e)).digest("binary");
  for (let i = 0; i < 32; i++) {
    const hi = hex.charCodeAt(2 * i);
    const lo = hex.charCodeAt(2 * i + 1);
    if (hi > 0x7f || lo > 0x7f || ((HEX_VALUE[hi] << 4) | HEX_VALUE[lo]) !== d[i]) return false;
  }
  return true;
}

/** Value of a lower-case hex digit by char code; 0x1000 for every other code below 128 (never a byte). */
const HEX_VALUE = new Uint16Array(128).fill(0x1000);
for (let i = 0; i < 16; i++) HEX_VALUE["0123456789abcdef".charCodeAt(i)] = i;

/** Lower-case hex of BLAKE3-256 of `bytes` (the shared hash-wasm hasher). */
export function blake3Hex(bytes: Uint8Array): string {
  return hasher.init().update(bytes).digest("hex");
}

/** The first and last instants `formatTs` prints (years 0000 and 9999; others have a sign and 6 digits). */
const MIN_TS = -62_167_219_200_000; // 0000-01-01T00:00:00.000Z
const MAX_TS = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z
const DAY_MS = 86_400_000;
const PAD2: string[] = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, "0"));
const PAD3: string[] = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, "0"));
/** The UTC day `formatTs` printed last (its first ms and its `YYYY-MM-DDT` prefix): most calls stay in it. */
let dayStart = NaN;
let dayPrefix = "";

/**
 * RFC 3339 UTC with milliseconds for an epoch-ms time or a Date: exactly `Date.prototype.toISOString`, called
 * once per UTC day; the other times of that day are printed from the day's prefix (tests compare the two).
 */
export function formatTs(ts: Date | number): string {
  const ms = ts instanceof Date ? ts.getTime() : ts;
  if (!Number.isFinite(ms)) throw new InputError(`envelope ts: not a valid time: ${show(ts)}`);
  if (Number.isInteger(ms) && ms >= dayStart && ms < dayStart + DAY_MS) {
    let t = ms - dayStart;
    const h = (t / 3_600_000) | 0;
    t -= h * 3_600_000;
    const m = (t / 60_000) | 0;
    t -= m * 60_000;
    const s = (t / 1000) | 0;
    return `${dayPrefix}${PAD2[h]}:${PAD2[m]}:${PAD2[s]}.${PAD3[t - s * 1000]}Z`;
  }
  const whole = Math.trunc(ms); // what `new Date(ms)` keeps
  if (whole < MIN_TS || whole > MAX_TS) {
    throw new InputError(`envelope ts: outside years 0000–9999: ${show(ts)}`);
  }
  const iso = new Date(whole).toISOString();
  dayStart = Math.floor(whole / DAY_MS) * DAY_MS;
  dayPrefix = iso.slice(0, 11);
  return iso;
}

const dec = new TextDecoder("utf-8", { fatal: true });

/**
 * The raw JSON text for a payload: a value is serialised with JSON.stringify (compact); bytes or a string
 * are taken as they are (they must be valid UTF-8 JSON). Line breaks, which valid JSON can only hold as
 * insignificant whitespace, are removed so the envelope fits on one NDJSON line; nothing else changes.
 */
export function payloadText(payload: unknown): string {
  let text: string;
  if (payload instanceof Uint8Array) {
    try {
      text = dec.decode(payload);
    } catch {
      throw new EnvelopeError("bad_payload", "payload", "not valid UTF-8");
    }
  } else if (typeof payload === "string") {
    text = payload;
  } else {
    const s = JSON.stringify(payload);
    if (s === undefined) {
      throw new EnvelopeError("bad_payload", "payload", `not JSON-serialisable: ${show(payload)}`);
    }
    return s;
  }
  if (text.includes("\n") || text.includes("\r")) text = text.replace(/[\r\n]/g, "");
  try {
    JSON.parse(text);
  } catch {
    throw new EnvelopeError("bad_payload", "payload", `not valid JSON: ${show(text)}`);
  }
  return text;
}

export interface EnvelopeInput {
  ts: Date | number;
  symbol: string;
  source: string;
  /**
   * A JSON value (serialised with JSON.stringify), or the raw JSON as bytes (Uint8Array) or as text
   * (a string is taken as raw JSON text, not as a JSON string value).
   */
  payload: unknown;
}

/**
 * Builds a checksummed, valid envelope (throws EnvelopeError naming the field when an input is bad).
 *
 * It trusts what it built: `formatTs` printed the ts in the strict form itself and `payloadText` produced
 * (JSON.stringify) or checked (JSON.parse) the payload text, so neither is parsed again here; only the
 * caller's symbol and source are checked. Whatever comes from outside goes through `checkEnvelope`/`validate`
 * (every field) instead.
 */
export function makeEnvelope(input: EnvelopeInput): Envelope {
  const ts = formatTs(input.ts);
  const payload = payloadText(input.payload);
  const err = checkNames(input.symbol, input.source);
  if (err) throw err;
  const e: Envelope = {
    ts,
    symbol: input.symbol,
    source: input.source,
    payload,
    checksum: "",
    version: ENVELOPE_VERSION,
  };
  e.checksum = computeChecksum(e);
  return e;
}

/** The symbol and source rules, in `checkFields`' order (both emptiness checks first, then the shapes). */
function checkNames(symbol: string, source: string): EnvelopeError | undefined {
  if (symbol === "") return new EnvelopeError("empty_field", "symbol", "empty");
  if (source === "") return new EnvelopeError("empty_field", "source", "empty");
  if (!SYMBOL_RE.test(symbol)) return badSymbol(symbol);
  if (!SOURCE_RE.test(source)) return badSource(source);
  return undefined;
}

const badSymbol = (symbol: string) =>
  new EnvelopeError("bad_symbol", "symbol", `expected [A-Z0-9/._-]+, found ${show(symbol)}`);
const badSource = (source: string) =>
  new EnvelopeError("bad_source", "source", `expected [a-z][a-z0-9_.:/-]*, found ${show(source)}`);

/**
 * A `TS_RE`-shaped ts that names a real instant (no 30 February, no 24:00, no second 60), read from its
 * fixed digit positions. For a `TS_RE`-shaped string this accepts exactly what `checkFields`' `checkTime` +
 * round trip accepts (a real date and time of day prints back as itself; anything else does not), in a
 * fraction of the time (tested on random times): the consumers' one-pass route uses it, and any ts it refuses
 * goes to the general route for the reason.
 */
function isRealTs(ts: string): boolean {
  const year = digits2(ts, 0) * 100 + digits2(ts, 2);
  const month = digits2(ts, 5);
  const day = digits2(ts, 8);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month) &&
    digits2(ts, 11) <= 23 && digits2(ts, 14) <= 59 && digits2(ts, 17) <= 59;
}

/** The two decimal digits at s[i], s[i+1] as a number (callers know they are digits). */
const digits2 = (s: string, i: number) => (s.charCodeAt(i) - 48) * 10 + s.charCodeAt(i + 1) - 48;

function checkFields(e: Envelope): EnvelopeError | undefined {
  for (const f of ["ts", "symbol", "source", "payload"] as const) {
    if (e[f] === "") return new EnvelopeError("empty_field", f, "empty");
  }
  if (e.version !== ENVELOPE_VERSION) {
    return new EnvelopeError("unknown_version", "version", `expected 1, found ${show(e.version)}`);
  }
  const t = checkTime(e.ts);
  if (!TS_RE.test(e.ts) || !t.ok || isoMs(t.ms) !== e.ts) {
    return new EnvelopeError(
      "bad_ts",
      "ts",
      `expected RFC 3339 UTC like 2024-01-02T03:04:05.678Z${t.ok ? "" : ` (${t.reason})`}, found ${
        show(e.ts)
      }`,
    );
  }
  if (!SYMBOL_RE.test(e.symbol)) return badSymbol(e.symbol);
  if (!SOURCE_RE.test(e.source)) return badSource(e.source);
  if (e.payload.includes("\n") || e.payload.includes("\r")) {
    return new EnvelopeError("bad_payload", "payload", "contains a line break");
  }
  try {
    JSON.parse(e.payload);
  } catch {
    return new EnvelopeError("bad_payload", "payload", `not valid JSON: ${show(e.payload)}`);
  }
  return undefined;
}

/** The first validation failure of `e`, or undefined when it is valid. Never throws. */
export function checkEnvelope(e: unknown): EnvelopeError | undefined {
  const parsed = Envelope.safeParse(e);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return new EnvelopeError("malformed", issue.path.join(".") || "(envelope)", issue.message);
  }
  const env = parsed.data;
  if (env.checksum === "") return new EnvelopeError("empty_field", "checksum", "empty");
  const err = checkFields(env);
  if (err) return err;
  if (!CHECKSUM_RE.test(env.checksum)) {
    return new EnvelopeError(
      "bad_checksum_format",
      "checksum",
      `expected 64 hex digits, found ${show(env.checksum)}`,
    );
  }
  if (!checksumMatches(env, env.checksum)) {
    const want = computeChecksum(env);
    return new EnvelopeError("checksum_mismatch", "checksum", `found ${env.checksum}, computed ${want}`);
  }
  return undefined;
}

/** Validates an envelope: non-empty fields, known version, strict field shapes, checksum match. */
export function validate(e: unknown): Envelope {
  const err = checkEnvelope(e);
  if (err) throw err;
  return e as Envelope;
}

/**
 * Decodes and validates one wire-form envelope: the same result as `validate(decodeEnvelope(text))` (the same
 * envelope, or the same EnvelopeError), the consumers' entry point. A line in the canonical form
 * `encodeEnvelope` writes is checked in one pass — the payload parsed once, no schema pass, the checksum
 * once — and anything else (other field order or spacing, or any failure) takes the general route, which
 * names the error.
 */
export function decodeValid(text: string): Envelope {
  return canonicalValid(text) ?? validate(decodeEnvelope(text));
}

const WIRE_HEAD = new RegExp(
  `^\\{"ts":"(${TS_RE.source.slice(1, -1)})","symbol":"(${SYMBOL_RE.source.slice(1, -1)})",` +
    `"source":"(${SOURCE_RE.source.slice(1, -1)})","payload":`,
);
const WIRE_CHECKSUM = ',"checksum":"';
const WIRE_END = '","version":1}';
const WIRE_TAIL = WIRE_CHECKSUM.length + 64 + WIRE_END.length;

/**
 * The envelope in `text` when it is exactly `encodeEnvelope`'s form AND valid, else undefined. Sound because
 * the head and tail are matched literally (the ts, symbol and source patterns admit no quote, backslash or
 * control character, so those strings mean what they show) and the payload between them parses as one JSON
 * value with no surrounding whitespace: then `text` is a JSON object with exactly the six fields and this
 * payload text — what the general route would decode.
 */
function canonicalValid(text: string): Envelope | undefined {
  const tail = text.length - WIRE_TAIL;
  if (tail < 0 || !text.endsWith(WIRE_END) || !text.startsWith(WIRE_CHECKSUM, tail)) return undefined;
  const head = WIRE_HEAD.exec(text);
  if (head === null) return undefined;
  const from = head[0].length;
  if (from >= tail || !isTight(text.charCodeAt(from)) || !isTight(text.charCodeAt(tail - 1))) {
    return undefined;
  }
  const payload = text.slice(from, tail);
  if (payload.includes("\n") || payload.includes("\r")) return undefined;
  const checksum = text.slice(tail + WIRE_CHECKSUM.length, text.length - WIRE_END.length);
  if (!isRealTs(head[1])) return undefined; // the checksum's shape: checksumMatches refuses non-hex
  try {
    JSON.parse(payload);
  } catch {
    return undefined;
  }
  const e: Envelope = {
    ts: head[1],
    symbol: head[2],
    source: head[3],
    payload,
    checksum,
    version: ENVELOPE_VERSION,
  };
  return checksumMatches(e, checksum) ? e : undefined;
}

/** A printable ASCII character other than space: no kind of whitespace (JSON's or JS's) around the payload. */
const isTight = (c: number) => c > 0x20 && c < 0x7f;

/**
 * The wire form: one compact JSON object, fields in this order, payload embedded verbatim (never
 * re-serialised), no line break: `{"ts":…,"symbol":…,"source":…,"payload":<raw>,"checksum":…,"version":1}`.
 */
export function encodeEnvelope(e: Envelope): string {
  return `{"ts":${JSON.stringify(e.ts)},"symbol":${JSON.stringify(e.symbol)},"source":${
    JSON.stringify(e.source)
  },"payload":${e.payload},"checksum":${JSON.stringify(e.checksum)},"version":${JSON.stringify(e.version)}}`;
}

/**
 * Parses one wire-form envelope, keeping the payload's exact text (any field order, any whitespace between
 * tokens). Throws EnvelopeError("malformed") when it is not a JSON object with the envelope's fields; it does
 * NOT validate the checksum (call `validate`/`checkEnvelope`).
 */
export function decodeEnvelope(text: string): Envelope {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (err) {
    throw new EnvelopeError("malformed", "(envelope)", `not JSON: ${(err as Error).message}: ${show(text)}`);
  }
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) {
    throw new EnvelopeError("malformed", "(envelope)", `not a JSON object: ${show(text)}`);
  }
  const o = obj as Record<string, unknown>;
  if (!("payload" in o)) throw new EnvelopeError("malformed", "payload", "missing");
  const raw = rawMemberText(text, "payload");
  const fields = { ...o, payload: raw } as Record<string, unknown>;
  const parsed = Envelope.safeParse(fields);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new EnvelopeError("malformed", issue.path.join(".") || "(envelope)", issue.message);
  }
  return parsed.data;
}

/**
 * The exact source text of a top-level member's value in a JSON object text (already known to be valid
 * JSON). The last occurrence wins, like JSON.parse.
 */
export function rawMemberText(json: string, key: string): string {
  let depth = 0;
  let found: string | undefined;
  let i = 0;
  const n = json.length;
  let expectKey = false;
  let pendingKey: string | undefined;
  let valueStart = -1;
  while (i < n) {
    const c = json.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const start = i;
      i++;
      while (i < n) {
        const d = json.charCodeAt(i);
        if (d === 0x5c /* \ */) i += 2;
        else if (d === 0x22) break;
        else i++;
      }
      i++; // past closing quote
      if (depth === 1 && expectKey) {
        pendingKey = JSON.parse(json.slice(start, i));
        expectKey = false;
      }
      continue;
    }
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      depth++;
      if (depth === 1) expectKey = true;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      if (depth === 1 && valueStart >= 0) {
        if (pendingKey === key) found = json.slice(valueStart, i).trim();
        valueStart = -1;
      }
      depth--;
    } else if (c === 0x3a /* : */ && depth === 1) {
      valueStart = i + 1;
    } else if (c === 0x2c /* , */ && depth === 1) {
      if (valueStart >= 0 && pendingKey === key) found = json.slice(valueStart, i).trim();
      valueStart = -1;
      pendingKey = undefined;
      expectKey = true;
    }
    i++;
  }
  if (found === undefined) throw new EnvelopeError("malformed", key, "missing");
  return found;
}
