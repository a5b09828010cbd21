import { type Batch, type KeyCompare, keyCompare, sliceBatch } from "./batch.ts";

export { cloneBatch } from "./batch.ts";

interface Cursor {
  it: AsyncIterator<Batch>;
  batch: Batch | null;
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
 * Merges batch streams that are each sorted by the table's key (ts, symbol[, …]) into one sorted stream.
 * Runs that do not interleave (the usual case: parts appended in time order) are passed through as slices,
 * so a concatenation costs nothing per row. Memory: one batch per input.
 */
export async function* mergeSorted(
  inputs: AsyncIterable<Batch>[],
  key: readonly string[] = ["ts", "symbol"],
): AsyncGenerator<Batch> {
  if (inputs.length === 1) {
    yield* inputs[0];
    return;
  }
  const cmp: KeyCompare = keyCompare(key);
  const cursors: Cursor[] = inputs.map((s) => ({ it: s[Symbol.asyncIterator](), batch: null, i: 0 }));
  try {
    await Promise.all(cursors.map(advance));
    while (true) {
      const live = cursors.filter((c) => c.batch !== null);
      if (live.length === 0) return;
      // The cursor with the smallest head, and the smallest head among the others.
      let best = live[0];
      for (const c of live) if (cmp(c.batch!, c.i, best.batch!, best.i) < 0) best = c;
      let bound: Cursor | null = null;
      for (const c of live) {
        if (c === best) continue;
        if (!bound || cmp(c.batch!, c.i, bound.batch!, bound.i) < 0) bound = c;
      }
      const b = best.batch!;
      let end = best.i + 1;
      if (!bound) end = b.length;
      else {
        const bb = bound.batch!;
        const bi = bound.i;
        while (end < b.length && cmp(b, end, bb, bi) < 0) end++;
      }
      yield best.i === 0 && end === b.length ? b : sliceBatch(b, best.i, end);
      best.i = end;
      if (best.i >= b.length) await advance(best);
    }
  } finally {
    await Promise.all(cursors.map((c) => c.it.return?.().catch(() => {})));
  }
}
