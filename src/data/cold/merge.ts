import { type ColumnBatch, sliceBatch, VALUE_COLUMNS } from "./columns.ts";

/** (ts, symbol) order. */
function before(ta: number, sa: string, tb: number, sb: string): boolean {
  return ta < tb || (ta === tb && sa < sb);
}

interface Cursor {
  it: AsyncIterator<ColumnBatch>;
  batch: ColumnBatch | null;
  i: number;
}

async function advance(c: Cursor): Promise<void> {
  while (true) {
    const r = await c.it.next();
    if (r.done) {
      c.batch = null;
      return;
    }
    if (r.value.length > 0) {
      c.batch = r.value;
      c.i = 0;
      return;
    }
  }
}

/**
 * Merges batch streams that are each sorted by (ts, symbol) into one sorted stream. Runs that do not
 * interleave (the usual case: parts appended in time order) are passed through as slices, so a
 * concatenation costs nothing per row. Memory: one batch per input.
 */
export async function* mergeSorted(inputs: AsyncIterable<ColumnBatch>[]): AsyncGenerator<ColumnBatch> {
  if (inputs.length === 1) {
    yield* inputs[0];
    return;
  }
  const cursors: Cursor[] = inputs.map((s) => ({ it: s[Symbol.asyncIterator](), batch: null, i: 0 }));
  try {
    await Promise.all(cursors.map(advance));
    while (true) {
      const live = cursors.filter((c) => c.batch !== null);
      if (live.length === 0) return;
      // The cursor with the smallest head, and the smallest head among the others.
      let best = live[0];
      for (const c of live) {
        if (
          before(c.batch!.ts[c.i], c.batch!.symbol[c.i], best.batch!.ts[best.i], best.batch!.symbol[best.i])
        ) {
          best = c;
        }
      }
      let bound: { ts: number; sym: string } | null = null;
      for (const c of live) {
        if (c === best) continue;
        const t = c.batch!.ts[c.i];
        const s = c.batch!.symbol[c.i];
        if (!bound || before(t, s, bound.ts, bound.sym)) bound = { ts: t, sym: s };
      }
      const b = best.batch!;
      let end = best.i + 1;
      if (!bound) end = b.length;
      else {
        while (end < b.length && before(b.ts[end], b.symbol[end], bound.ts, bound.sym)) end++;
      }
      yield best.i === 0 && end === b.length ? b : sliceBatch(b, best.i, end);
      best.i = end;
      if (best.i >= b.length) await advance(best);
    }
  } finally {
    await Promise.all(cursors.map((c) => c.it.return?.().catch(() => {})));
  }
}

/** Copies a batch's projected columns (for consumers that keep batches beyond the next iteration). */
export function cloneBatch(b: ColumnBatch): ColumnBatch {
  const out: ColumnBatch = { length: b.length, ts: b.ts.slice(), symbol: b.symbol.slice() };
  for (const c of VALUE_COLUMNS) if (b[c]) out[c] = b[c]!.slice();
  return out;
}
