import type { WarmVenue } from "../../../src/data/warm/ports.ts";

/** A row of the fake venue: when, which symbol, and which fetch produced it. */
export interface QuoteRow {
  ts: number;
  symbol: string;
  fetch: number;
}

/**
 * A REST venue for warm-tier tests: `books` (one row stamped at the fetch time) and `trades` (the body's
 * trade times). Every fetch returns `{ fetch: n, trades: [...] }`; `fail` makes the next fetches reject.
 */
const endpointOf = (kind: string) => (kind === "books" ? "Depth" : kind === "trades" ? "Trades" : null);

export interface FakeVenue {
  fetches: number;
  fail: boolean;
  requests: Array<{ endpoint: string; params: Record<string, string> }>;
  venue: WarmVenue<{ books: QuoteRow; trades: QuoteRow }>;
}

export function fakeVenue(trades: number[] = []): FakeVenue {
  const v: FakeVenue = {
    fetches: 0,
    fail: false,
    requests: [] as Array<{ endpoint: string; params: Record<string, string> }>,
    venue: {
      venue: "kraken",
      name: "kraken_rest",
      endpoint: endpointOf,
      request(kind: string, symbol: string) {
        const endpoint = endpointOf(kind);
        return endpoint
          ? { endpoint, params: { symbol, ...(kind === "books" ? { count: "10" } : {}) } }
          : null;
      },
      fetch(req: { endpoint: string; params: Record<string, string> }) {
        v.requests.push(req);
        if (v.fail) return Promise.reject(new Error("ECONNREFUSED 127.0.0.1:1"));
        return Promise.resolve({ fetch: ++v.fetches, trades });
      },
      // deno-lint-ignore no-explicit-any
      parse(kind: string, symbol: string, body: unknown, fetchedAt: number): any[] {
        const b = body as { fetch?: unknown; trades?: unknown };
        if (typeof b?.fetch !== "number" || !Array.isArray(b.trades)) throw new Error("not a fake body");
        if (kind === "books") return [{ ts: fetchedAt, symbol, fetch: b.fetch }];
        return (b.trades as number[]).map((ts) => ({ ts, symbol, fetch: b.fetch as number }));
      },
    },
  };
  return v;
}
