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
import { blake3 } from "@noble/hashes/blake3.js";
import { InputError, show } from "../util/errors.ts";
import { checkTime, isoMs } from "../util/time.ts";

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
  n += enc.encodeInto(e.ts, scratch.subarray(n)).written;
  n += enc.encodeInto(e.symbol, scratch.subarray(n)).written;
  n += enc.encodeInto(e.source, scratch.subarray(n)).written;
  return scratch.subarray(0, n);
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
function toHex(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += HEX[b[i]];
  return s;
}

/** hex(blake3(payload || ts || symbol || source)) — 64 lower-case hex digits. */
export function computeChecksum(e: Pick<Envelope, "payload" | "ts" | "symbol" | "source">): string {
  return toHex(blake3(checksumInput(e)));
}

/** RFC 3339 UTC with milliseconds for an epoch-ms time or a Date. */
export function formatTs(ts: Date | number): string {
  const ms = ts instanceof Date ? ts.getTime() : ts;
  if (!Number.isFinite(ms)) throw new InputError(`envelope ts: not a valid time: ${show(ts)}`);
  const s = new Date(ms).toISOString();
  if (!TS_RE.test(s)) throw new InputError(`envelope ts: outside years 0000–9999: ${show(ts)}`);
  return s;
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

/** Builds a checksummed, valid envelope (throws EnvelopeError naming the field when an input is bad). */
export function makeEnvelope(input: EnvelopeInput): Envelope {
  const e: Envelope = {
    ts: formatTs(input.ts),
    symbol: input.symbol,
    source: input.source,
    payload: payloadText(input.payload),
    checksum: "",
    version: ENVELOPE_VERSION,
  };
  const err = checkFields(e);
  if (err) throw err;
  e.checksum = computeChecksum(e);
  return e;
}

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
  if (!SYMBOL_RE.test(e.symbol)) {
    return new EnvelopeError("bad_symbol", "symbol", `expected [A-Z0-9/._-]+, found ${show(e.symbol)}`);
  }
  if (!SOURCE_RE.test(e.source)) {
    return new EnvelopeError("bad_source", "source", `expected [a-z][a-z0-9_.:/-]*, found ${show(e.source)}`);
  }
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
  const want = computeChecksum(env);
  if (want !== env.checksum) {
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
