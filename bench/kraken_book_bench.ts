/**
 * Kraken L2 book throughput (issue #6). One iteration = the whole recorded session
 * (fixtures/kraken/book_v1_recorded.jsonl: 10 pairs, 10 snapshots + 4,269 updates, depth 1000), every update
 * applied and its CRC32 checksum verified against Kraken's published value. updates/s = 4,269 / time per iteration.
 *
 *   deno bench -A bench/kraken_book_bench.ts
 *
 * "crc32 floor": only the CRC32 (npm:crc-32, over pre-built bytes) of the top-10 text of each of the 4,269
 * real book states — what a verification on every update must at least do. "frames end to end": JSON.parse + zod + apply + verify from the raw text.
 */
import {
  applySnapshot,
  applyUpdate,
  type Book,
  bookChecksum,
  newBook,
} from "../src/providers/kraken/book.ts";
import CRC32 from "crc-32";
import { levelToken } from "../src/providers/kraken/checksum.ts";
import { createFeed } from "../src/providers/kraken/feed.ts";
import { type BookEvent, parseFrame } from "../src/providers/kraken/ws_messages.ts";

const lines = Deno.readTextFileSync(new URL("../fixtures/kraken/book_v1_recorded.jsonl", import.meta.url))
  .split("\n").filter(Boolean);
const events: BookEvent[] = lines.flatMap((l) => parseFrame(l, () => undefined)).filter((e): e is BookEvent =>
  e.kind === "book"
);
const UPDATES = events.filter((e) => !e.snapshot).length;
if (UPDATES !== 4269) throw new Error(`expected 4269 updates, found ${UPDATES}`);

function session(): number {
  const books = new Map<string, Book>();
  let ok = 0;
  for (const e of events) {
    if (e.snapshot) {
      const b = newBook(e.depth ?? 1000);
      applySnapshot(b, e.asks, e.bids);
      books.set(e.symbol, b);
      continue;
    }
    const b = books.get(e.symbol)!;
    applyUpdate(b, e.asks, e.bids);
    if (bookChecksum(b) !== e.checksum) throw new Error(`checksum mismatch ${e.symbol}`);
    ok++;
  }
  return ok;
}

// The top-10 tokens of every real book state, for the CRC-only floor.
const states: Uint8Array[] = [];
{
  const books = new Map<string, Book>();
  for (const e of events) {
    if (e.snapshot) {
      const b = newBook(1000);
      applySnapshot(b, e.asks, e.bids);
      books.set(e.symbol, b);
      continue;
    }
    const b = books.get(e.symbol)!;
    applyUpdate(b, e.asks, e.bids);
    const text = [...b.asks.slice(0, 10), ...b.bids.slice(0, 10)].map((l) =>
      levelToken(l.priceText, l.qtyText)
    ).join("");
    states.push(new TextEncoder().encode(text));
  }
}

Deno.bench({
  name: "book: apply + verify checksum, 4,269 updates (recorded session)",
  group: "kraken",
  baseline: true,
  fn() {
    if (session() !== UPDATES) throw new Error("not all verified");
  },
});

const snapshots = events.filter((e) => e.snapshot);
const updates = events.filter((e) => !e.snapshot);
Deno.bench({
  name: "book: apply + verify, 4,269 updates only (snapshots applied before the timer)",
  group: "kraken",
  fn(b) {
    const books = new Map<string, Book>();
    for (const e of snapshots) {
      const book = newBook(1000);
      applySnapshot(book, e.asks, e.bids);
      books.set(e.symbol, book);
    }
    b.start();
    for (const e of updates) {
      const book = books.get(e.symbol)!;
      applyUpdate(book, e.asks, e.bids);
      if (bookChecksum(book) !== e.checksum) throw new Error(`checksum mismatch ${e.symbol}`);
    }
    b.end();
  },
});

Deno.bench({
  name: "crc32 floor: top-10 CRC of 4,269 real book states",
  group: "kraken",
  fn() {
    let x = 0;
    for (const bytes of states) x ^= CRC32.buf(bytes);
    if (x === -1) throw new Error("unreachable");
  },
});

Deno.bench({
  name: "frames end to end: JSON.parse + zod + apply + verify, 4,279 frames",
  group: "kraken",
  fn() {
    const feed = createFeed();
    for (const l of lines) feed.handleFrame(l);
  },
});

/**
 * `deno run -A bench/kraken_book_bench.ts`: steady-state loop, 200 rounds of the 4,269 updates (fresh books
 * from the snapshots each round, outside the timer); prints the median and best updates/s.
 */
if (import.meta.main) {
  const rates: number[] = [];
  for (let r = 0; r < 200; r++) {
    const books = new Map<string, Book>();
    for (const e of snapshots) {
      const b = newBook(1000);
      applySnapshot(b, e.asks, e.bids);
      books.set(e.symbol, b);
    }
    const t = performance.now();
    for (const e of updates) {
      const b = books.get(e.symbol)!;
      applyUpdate(b, e.asks, e.bids);
      if (bookChecksum(b) !== e.checksum) throw new Error(`checksum mismatch ${e.symbol}`);
    }
    rates.push(updates.length / ((performance.now() - t) / 1000));
  }
  rates.sort((a, b) => a - b);
  const m = (x: number) => `${(x / 1e6).toFixed(2)} M updates/s`;
  const line = `apply + verify every update: median ${m(rates[100])}, best ${m(rates[199])}, worst ${
    m(rates[0])
  }`;
  if (Deno.args.includes("--json")) {
    console.error(line);
    console.log(JSON.stringify({ median_updates_per_s: rates[100], best_updates_per_s: rates[199] }));
  } else {
    console.log(line);
  }
}
