import type { DoorSource, SourceResult, Tier, Timed } from "../../../src/data/door/port.ts";

/** A row of the fake sources: a time and which source made it. */
export interface Row extends Timed {
  symbol: string;
  from: string;
}

export type Script = Record<string, SourceResult<Row> | Error>;

/**
 * A door source answering from a script: per symbol a hit, a miss, or an Error (thrown for the whole read, as
 * a source whose backend is down). `calls` records which symbols each read asked for.
 */
export function fakeSource(
  id: string,
  tier: Tier,
  maxAgeMs: number | null,
  script: Script,
  venue = "kraken",
): DoorSource<Row> & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    id,
    tier,
    maxAgeMs,
    calls,
    covers: (v) => v === venue,
    read(req) {
      calls.push([...req.symbols]);
      const out = new Map<string, SourceResult<Row>>();
      for (const s of req.symbols) {
        const r = script[s];
        if (r instanceof Error) return Promise.reject(r);
        if (r) out.set(s, r);
      }
      return Promise.resolve(out);
    },
  };
}

export const rows = (symbol: string, from: string, ...ts: number[]): Row[] =>
  ts.map((t) => ({ ts: t, symbol, from }));
