import assert from "node:assert/strict";
import CRC32 from "crc-32";
import {
  checksumDigits,
  crc32Append,
  crc32OfDigits,
  crc32OfTokens,
  formatFixed,
  levelToken,
  tokenLength,
  tokenRegister,
} from "../../../src/providers/kraken/checksum.ts";
import { createFeed } from "../../../src/providers/kraken/feed.ts";
import { readLines, rng } from "./fixtures.ts";

Deno.test("checksumDigits removes the point and every leading zero (Kraken's rule)", () => {
  assert.equal(checksumDigits("0.05000"), "5000");
  assert.equal(checksumDigits("0.00000304"), "304");
  assert.equal(checksumDigits("45285.2"), "452852");
  assert.equal(checksumDigits("0.00100000"), "100000");
  assert.equal(checksumDigits("0.000022900"), "22900");
  assert.equal(checksumDigits("1000"), "1000");
  assert.equal(levelToken("0.05000", "0.00000304"), "5000304"); // the docs' worked example
});

Deno.test("formatFixed keeps the pair's precision where String(float) loses it", () => {
  assert.equal(formatFixed(0.1, 8), "0.10000000");
  assert.equal(String(0.1), "0.1"); // what a naive implementation would hash
  assert.equal(formatFixed(45281.0, 1), "45281.0");
  assert.equal(formatFixed(4.8e-7, 8), "0.00000048");
  assert.throws(() => formatFixed(-1, 2), RangeError);
});

// Kraken's published v2 example (docs.kraken.com "spot-ws-book-v2"): BTC/USD, checksum 3310070434.
const V2_BIDS = [
  ["45283.5", "0.10000000"],
  ["45283.4", "1.54582015"],
  ["45282.1", "0.10000000"],
  ["45281.0", "0.10000000"],
  ["45280.3", "1.54592586"],
  ["45279.0", "0.07990000"],
  ["45277.6", "0.03310103"],
  ["45277.5", "0.30000000"],
  ["45277.3", "1.54602737"],
  ["45276.6", "0.15445238"],
];
const V2_ASKS = [
  ["45285.2", "0.00100000"],
  ["45286.4", "1.54571953"],
  ["45286.6", "1.54571109"],
  ["45289.6", "1.54560911"],
  ["45290.2", "0.15890660"],
  ["45291.8", "1.54553491"],
  ["45294.7", "0.04454749"],
  ["45296.1", "0.35380000"],
  ["45297.5", "0.09945542"],
  ["45299.5", "0.18772827"],
];

Deno.test("v2: Kraken's published book example hashes to its published checksum 3310070434", () => {
  const crc = crc32OfTokens(
    V2_ASKS.map(([p, q]) => levelToken(p, q)),
    V2_BIDS.map(([p, q]) => levelToken(p, q)),
  );
  assert.equal(crc, 3310070434);
});

Deno.test("v2: the docs example as wire frames (JSON numbers) verifies through the feed", () => {
  let verified = 0;
  const f2 = createFeed({ handlers: { onBook: () => verified++ } });
  for (const l of readLines("book_v2_docs_example.jsonl")) f2.handleFrame(l);
  assert.equal(verified, 1);
  const s = f2.stats.get("BTC/USD")!;
  assert.equal(s.checksum_ok, 1);
  assert.equal(s.checksum_failed, 0);
  const book = f2.verifiedBook("BTC/USD")!;
  assert.equal(book.bids[0].priceText, "45283.5");
  assert.equal(book.bids[0].qtyText, "0.10000000");
  assert.equal(book.depth, 10); // from the subscribe ack in the stream
});

Deno.test("v2: formatting with the wrong precision fails the checksum (precision really matters)", () => {
  const lines = readLines("book_v2_docs_example.jsonl").map((l) =>
    l.replace('"qty_precision":8', '"qty_precision":7')
  );
  const feed = createFeed();
  for (const l of lines) feed.handleFrame(l);
  assert.equal(feed.stats.get("BTC/USD")!.checksum_failed, 1);
  assert.equal(feed.verifiedBook("BTC/USD"), undefined);
});

/** Decimal texts as Kraken sends them (and some it never does), incl. leading/trailing zeros and long digits. */
function decimalTexts(n: number, seed: number): string[] {
  const r = rng(seed);
  const fixed = [
    "0",
    "0.0",
    "0.00000000",
    "0.05000",
    "0.00000304",
    "45285.2",
    "1000",
    "10.0",
    "007.50",
    "1.2.3",
  ];
  const out = [...fixed];
  while (out.length < n) {
    const int = String(Math.floor(r() * 10 ** Math.floor(r() * 9)));
    const dec = Math.floor(r() * 11);
    const frac = Array.from({ length: dec }, () => String(Math.floor(r() * 10))).join("");
    out.push(dec ? `${int}.${frac}` : int);
  }
  return out;
}

Deno.test("crc32OfDigits hashes checksumDigits(text) without building it (equals CRC32.str, any seed)", () => {
  const r = rng(7);
  const texts = [...decimalTexts(500, 1), "1\u00a02.5", "\u00e9.0"]; // non-ASCII: the library's UTF-8 path
  for (const t of texts) {
    const seed = (r() * 2 ** 32) | 0;
    assert.equal(crc32OfDigits(seed, t), CRC32.str(checksumDigits(t), seed), t);
    assert.equal(crc32OfDigits(0, t), CRC32.str(checksumDigits(t)), t);
  }
});

Deno.test("crc32Append chains a level's cached token CRC after any seed exactly as hashing its text", () => {
  const r = rng(11);
  const texts = decimalTexts(400, 2);
  for (let i = 0; i < 2000; i++) {
    const p = texts[Math.floor(r() * texts.length)];
    const q = texts[Math.floor(r() * texts.length)];
    const seed = (r() * 2 ** 32) | 0;
    const len = tokenLength(p, q);
    assert.equal(len, levelToken(p, q).length, `${p} ${q}`);
    assert.equal(crc32Append(seed, tokenRegister(p, q), len), CRC32.str(levelToken(p, q), seed), `${p} ${q}`);
  }
  // Kraken's documented example token, from the empty CRC.
  assert.equal(crc32Append(0, tokenRegister("0.05000", "0.00000304"), 7), CRC32.str("5000304"));
  assert.equal(tokenLength("1\u00a02.5", "1.0"), -1); // not ASCII: the book hashes such text directly
  assert.equal(tokenLength("1".repeat(40), "2".repeat(30)), -1); // longer than the combine tables
});
