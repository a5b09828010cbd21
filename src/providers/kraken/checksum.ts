import CRC32 from "crc-32";

/**
 * Kraken's order-book checksum (WebSocket v1 and v2, docs.kraken.com "spot-ws-book-v1/v2"):
 * CRC32 over the top 10 asks (price ascending) then the top 10 bids (price descending), each level's
 * price and qty *decimal text* with the "." removed and leading zeros stripped, concatenated.
 * The result is compared as an unsigned 32-bit integer.
 *
 * Pure functions, no I/O. The book caches each top-10 level's token CRC (`tokenRegister`, `tokenLength`) and
 * chains levels with `crc32Append`, so a checksum after an update re-hashes only the changed levels' text.
 */

/** "0.000022900" → "22900"; "45283.5" → "452835"; "0.00000000" → "" (Kraken strips every leading zero). */
export function checksumDigits(decimalText: string): string {
  let s = decimalText;
  const dot = s.indexOf(".");
  if (dot >= 0) s = s.slice(0, dot) + s.slice(dot + 1);
  let i = 0;
  while (i < s.length && s.charCodeAt(i) === 48 /* 0 */) i++;
  return i === 0 ? s : s.slice(i);
}

/** The token one level contributes: digits(price) + digits(qty). */
export function levelToken(priceText: string, qtyText: string): string {
  return checksumDigits(priceText) + checksumDigits(qtyText);
}

/**
 * Formats a v2 number with the pair's precision (Kraken sends v2 prices/quantities as JSON numbers; the
 * checksum is defined over the decimal text at the pair's precision, so `String(0.1)` would be wrong for a
 * qty precision of 8: it must be "0.10000000").
 */
export function formatFixed(value: number, precision: number): string {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`not a price/qty: ${value}`);
  if (value >= 1e21) throw new RangeError(`value too large to format: ${value}`);
  return value.toFixed(precision);
}

/** npm:crc-32's byte table (zlib polynomial); exported by the package at runtime, absent from its typings. */
const CRC_TABLE = (CRC32 as unknown as { table: Int32Array }).table;
if (!(CRC_TABLE instanceof Int32Array) || CRC_TABLE.length !== 256) {
  throw new Error("npm:crc-32 no longer exports its 256-entry table");
}

/**
 * Continues a CRC32 (`seed`: a finished CRC, as `CRC32.buf`/`CRC32.str` take and return) over
 * `checksumDigits(decimalText)` without building that string: the first "." is skipped, then every leading
 * zero, then each character is hashed. Equals `CRC32.str(checksumDigits(decimalText), seed)` for any text
 * (non-ASCII text, which Kraken never sends, is handed to `CRC32.str` for its UTF-8 encoding).
 */
export function crc32OfDigits(seed: number, decimalText: string): number {
  const n = decimalText.length;
  let c = seed ^ -1;
  let dot = false;
  let started = false;
  for (let i = 0; i < n; i++) {
    const ch = decimalText.charCodeAt(i);
    if (ch === 46 /* . */ && !dot) {
      dot = true;
      continue;
    }
    if (!started) {
      if (ch === 48 /* 0 */) continue;
      started = true;
    }
    if (ch > 127) return CRC32.str(checksumDigits(decimalText), seed);
    c = (c >>> 8) ^ CRC_TABLE[(c ^ ch) & 0xff];
  }
  return c ^ -1;
}

/**
 * A level's token hashed once, re-applied after any seed in four table lookups. CRC32 is linear over GF(2):
 * running the register r over bytes d gives shift_len(r) XOR run(0, d), where shift_len(r) is r run over len
 * zero bytes — itself linear in r, so a table per byte of r (4 × 256 entries per length, built on first use)
 * computes it. The book keeps run(0, token) and len per top-10 level and chains levels with `crc32Append`
 * instead of re-hashing their digits (zlib's crc32_combine, specialised to short tokens).
 */
const SHIFT_MAX = 64;
const shiftTables: (Int32Array | undefined)[] = new Array(SHIFT_MAX + 1).fill(undefined);

function shiftTable(len: number): Int32Array {
  let t = shiftTables[len];
  if (t === undefined) {
    t = new Int32Array(1024);
    for (let k = 0; k < 4; k++) {
      for (let x = 0; x < 256; x++) {
        let r = x << (8 * k);
        for (let i = 0; i < len; i++) r = (r >>> 8) ^ CRC_TABLE[r & 0xff];
        t[(k << 8) | x] = r;
      }
    }
    shiftTables[len] = t;
  }
  return t;
}

/** Byte length of `levelToken(priceText, qtyText)`, or -1 when it is not ASCII or too long to combine. */
export function tokenLength(priceText: string, qtyText: string): number {
  const n = digitsLength(priceText) + digitsLength(qtyText);
  return n < 0 || n > SHIFT_MAX ? -1 : n;
}

function digitsLength(text: string): number {
  const n = text.length;
  let dot = false;
  let i = 0;
  for (; i < n; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 46 && !dot) dot = true;
    else if (ch !== 48) break;
  }
  let len = 0;
  for (; i < n; i++) {
    const ch = text.charCodeAt(i);
    if (ch > 127) return -1e9;
    if (ch === 46 && !dot) dot = true;
    else len++;
  }
  return len;
}

/** run(0, levelToken(priceText, qtyText)): the raw register (no pre/post inversion) from zero. */
export function tokenRegister(priceText: string, qtyText: string): number {
  // crc32OfDigits inverts on entry and exit: a seed of ~0 starts the register at 0, and ~result is the raw run.
  return ~crc32OfDigits(crc32OfDigits(-1, priceText), qtyText);
}

/**
 * `CRC32.str(token, seed)` from the token's `tokenRegister` and `tokenLength` (≥ 0): the seed's register
 * shifted over len zero bytes, XOR the token's own run.
 */
export function crc32Append(seed: number, register: number, len: number): number {
  const t = shiftTable(len);
  const r = ~seed;
  return ~(t[r & 0xff] ^ t[256 | ((r >>> 8) & 0xff)] ^ t[512 | ((r >>> 16) & 0xff)] ^ t[768 | (r >>> 24)] ^
    register);
}

/** CRC32 (zlib polynomial, as Kraken) of the concatenated tokens, as an unsigned 32-bit integer. */
export function crc32OfTokens(asks: readonly string[], bids: readonly string[]): number {
  let crc = 0;
  for (const t of asks) crc = CRC32.str(t, crc);
  for (const t of bids) crc = CRC32.str(t, crc);
  return crc >>> 0;
}

/** CRC32 of one string, unsigned (used by tests and the bench's CRC-only floor). */
export function crc32Unsigned(s: string): number {
  return CRC32.str(s) >>> 0;
}
