import CRC32 from "crc-32";

/**
 * Kraken's order-book checksum (WebSocket v1 and v2, docs.kraken.com "spot-ws-book-v1/v2"):
 * CRC32 over the top 10 asks (price ascending) then the top 10 bids (price descending), each level's
 * price and qty *decimal text* with the "." removed and leading zeros stripped, concatenated.
 * The result is compared as an unsigned 32-bit integer.
 *
 * Pure functions, no I/O. The book caches each level's token (see `levelToken`), so a checksum is one
 * CRC32 pass over ≤ 20 short strings.
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
