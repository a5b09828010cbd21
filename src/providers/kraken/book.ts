import CRC32 from "crc-32";
import { crc32Append, crc32OfDigits, levelToken, tokenLength, tokenRegister } from "./checksum.ts";

const TOP = 10;

/**
 * An L2 order book for one symbol, maintained exactly as Kraken documents it (docs.kraken.com
 * "spot-ws-book-v1" / "spot-ws-book-v2"):
 *  - a snapshot replaces the book;
 *  - an update sets a level's qty (insert or replace); qty 0 deletes the level;
 *  - after all levels of a message are applied, each side is truncated to the subscribed depth
 *    (Kraken sends no delete for levels that fall out of scope);
 *  - the CRC32 of the top 10 levels per side, over the exact decimal text, must equal Kraken's checksum.
 *
 * Levels keep the decimal text they arrived with (v1 strings; v2 numbers formatted at the pair's precision
 * by the caller) plus the parsed number for ordering and maths. Sides are arrays sorted best-first:
 * asks ascending, bids descending; lookups are binary searches.
 *
 * Hot path (issue #6, docs/PERFORMANCE.md "## Kraken"): each top-10 level's token is hashed once and
 * chained by CRC combination (no token strings or byte arrays); one binary search per side direction.
 */

export interface Level {
  price: number;
  qty: number;
  priceText: string;
  qtyText: string;
  /**
   * Checksum cache: the raw CRC register of digits(price) + digits(qty) from zero and its byte length
   * (`tokenRegister`/`tokenLength`), computed the first time the level is among the top 10 at a checksum
   * (most levels of a deep book never are). `tokenLen` −2 = not computed yet, −1 = hash the text directly.
   */
  tokenReg: number;
  tokenLen: number;
}

/** One price-level change as it arrives (qty "0…" deletes). */
export interface LevelChange {
  priceText: string;
  qtyText: string;
}

export interface Book {
  /** Best first (lowest price). */
  asks: Level[];
  /** Best first (highest price). */
  bids: Level[];
  /** Subscribed depth: each side is truncated to it after every message. */
  depth: number;
  /**
   * Checksum cache. Kraken's CRC runs over the top-10 asks, then the top-10 bids, level by level, so we keep
   * the running CRC after each level (`askPrefix[i]` = CRC after asks 0..i−1; `bidPrefix[0]` = the asks'
   * CRC). A change at index j of a side invalidates that side from j on (and all bids when the asks change);
   * a change deeper than the top 10 invalidates nothing. The result equals `computeChecksum` by construction.
   */
  askPrefix: Int32Array;
  bidPrefix: Int32Array;
  /** First stale index per side (TOP = clean). */
  askFrom: number;
  bidFrom: number;
}

export function newBook(depth: number): Book {
  return {
    asks: [],
    bids: [],
    depth,
    askPrefix: new Int32Array(TOP + 1),
    bidPrefix: new Int32Array(TOP + 1),
    askFrom: 0,
    bidFrom: 0,
  };
}

function makeLevel(c: LevelChange): Level {
  const price = Number(c.priceText);
  const qty = Number(c.qtyText);
  if (!Number.isFinite(price) || price <= 0) {
    throw new RangeError(`price: not a positive number: ${c.priceText}`);
  }
  if (!Number.isFinite(qty) || qty < 0) throw new RangeError(`qty: not a non-negative number: ${c.qtyText}`);
  return { price, qty, priceText: c.priceText, qtyText: c.qtyText, tokenReg: 0, tokenLen: -2 };
}

/**
 * Throws the RangeError that `applySnapshot`/`applyUpdate` would throw for a level that cannot be applied
 * (price not positive, qty negative): lets a replay check a whole file before applying any of it.
 */
export function checkLevel(c: LevelChange): void {
  makeLevel(c);
}

/** Index of `price` in asks (ascending), or -(insertion point) - 1. */
function searchAsc(side: Level[], price: number): number {
  let lo = 0;
  let hi = side.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const p = side[mid].price;
    if (p < price) lo = mid + 1;
    else if (p > price) hi = mid - 1;
    else return mid;
  }
  return -lo - 1;
}

/** Index of `price` in bids (descending), or -(insertion point) - 1. */
function searchDesc(side: Level[], price: number): number {
  let lo = 0;
  let hi = side.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const p = side[mid].price;
    if (p > price) lo = mid + 1;
    else if (p < price) hi = mid - 1;
    else return mid;
  }
  return -lo - 1;
}

/** Applies changes to one side; returns the lowest index whose level changed (TOP when none in the top 10). */
function applySide(side: Level[], changes: readonly LevelChange[], asc: boolean): number {
  let from = TOP;
  for (const c of changes) {
    const lv = makeLevel(c);
    const i = asc ? searchAsc(side, lv.price) : searchDesc(side, lv.price);
    let at: number;
    if (lv.qty === 0) {
      if (i < 0) continue;
      side.splice(i, 1);
      at = i;
    } else if (i >= 0) {
      side[i] = lv;
      at = i;
    } else {
      at = -i - 1;
      side.splice(at, 0, lv);
    }
    if (at < from) from = at;
  }
  return from;
}

/** Replaces the book with a snapshot (levels in any order; zero-qty levels ignored). */
export function applySnapshot(book: Book, asks: readonly LevelChange[], bids: readonly LevelChange[]): void {
  book.asks = [];
  book.bids = [];
  applySide(book.asks, asks, true);
  applySide(book.bids, bids, false);
  book.askFrom = 0;
  book.bidFrom = 0;
  truncate(book);
}

/** Applies one update message (both sides, in arrival order), then truncates to the depth. */
export function applyUpdate(book: Book, asks: readonly LevelChange[], bids: readonly LevelChange[]): void {
  if (asks.length) {
    const a = applySide(book.asks, asks, true);
    if (a < book.askFrom) book.askFrom = a;
  }
  if (bids.length) {
    const b = applySide(book.bids, bids, false);
    if (b < book.bidFrom) book.bidFrom = b;
  }
  truncate(book);
}

function truncate(book: Book): void {
  // Truncation removes levels at index ≥ depth; with depth < 10 those are checksummed levels.
  if (book.asks.length > book.depth) {
    book.asks.length = book.depth;
    if (book.depth < book.askFrom) book.askFrom = book.depth;
  }
  if (book.bids.length > book.depth) {
    book.bids.length = book.depth;
    if (book.depth < book.bidFrom) book.bidFrom = book.depth;
  }
}

/** Recomputes a side's running CRCs from index `from`; prefix[0] must hold the seed. */
function fillPrefix(side: Level[], prefix: Int32Array, from: number): number {
  const n = Math.min(TOP, side.length);
  for (let i = from; i < n; i++) {
    const l = side[i];
    if (l.tokenLen === -2) {
      l.tokenLen = tokenLength(l.priceText, l.qtyText);
      if (l.tokenLen >= 0) l.tokenReg = tokenRegister(l.priceText, l.qtyText);
    }
    prefix[i + 1] = l.tokenLen >= 0
      ? crc32Append(prefix[i], l.tokenReg, l.tokenLen)
      : crc32OfDigits(crc32OfDigits(prefix[i], l.priceText), l.qtyText);
  }
  return n;
}

/**
 * Kraken's CRC32 over the top 10 levels per side (unsigned). Only levels at or after the first changed index
 * of a side are re-hashed (all bids when the asks changed, since the asks' CRC seeds the bids).
 */
export function bookChecksum(book: Book): number {
  if (book.askFrom < TOP) {
    fillPrefix(book.asks, book.askPrefix, book.askFrom);
    book.askFrom = TOP;
    book.bidFrom = 0;
  }
  const na = Math.min(TOP, book.asks.length);
  if (book.bidFrom < TOP) {
    book.bidPrefix[0] = book.askPrefix[na];
    fillPrefix(book.bids, book.bidPrefix, book.bidFrom);
    book.bidFrom = TOP;
  }
  return book.bidPrefix[Math.min(TOP, book.bids.length)] >>> 0;
}

/** The checksum computed from scratch over the concatenated text, never cached (tests compare the two). */
export function computeChecksum(book: Book): number {
  const text = [...book.asks.slice(0, TOP), ...book.bids.slice(0, TOP)]
    .map((l) => levelToken(l.priceText, l.qtyText)).join("");
  return CRC32.str(text) >>> 0;
}

/** True when best bid ≥ best ask (a book that cannot be real: something was missed). */
export function isCrossed(book: Book): boolean {
  return book.bids.length > 0 && book.asks.length > 0 && book.bids[0].price >= book.asks[0].price;
}

/** Plain copy of the top `n` levels per side as [price, qty] numbers (for pure microstructure maths). */
export interface BookView {
  asks: Array<[number, number]>;
  bids: Array<[number, number]>;
}

export function bookView(book: Book, n = Infinity): BookView {
  const take = (side: Level[]) =>
    side.slice(0, Math.min(n, side.length)).map((l) => [l.price, l.qty] as [number, number]);
  return { asks: take(book.asks), bids: take(book.bids) };
}
