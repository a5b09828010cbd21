/** Paths of the Kraken fixtures (fixtures/kraken/README.md names their sources). */
export const FIX = new URL("../../../fixtures/kraken/", import.meta.url).pathname;

export function readLines(name: string): string[] {
  return Deno.readTextFileSync(FIX + name).split("\n").filter((l) => l.length > 0);
}

export function readJson<T = unknown>(name: string): T {
  return JSON.parse(Deno.readTextFileSync(FIX + name)) as T;
}

export interface ExpectedPair {
  updates: number;
  checksums_matched: number;
  final_best_ask: [string, string];
  final_best_bid: [string, string];
  final_book_levels: { asks: number; bids: number };
  last_published_checksum: number;
}

/** Expected per-pair results of the v1 recording, keyed by Kraken's v1 name (XBT/CHF, …). */
export function expectedV1(): { per_pair: Record<string, ExpectedPair>; total_updates: number } {
  return readJson("book_v1_recorded.expected.json");
}

/** Deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
