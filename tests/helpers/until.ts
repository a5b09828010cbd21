/**
 * Polls `probe` until it returns a value other than `undefined` or `false`, and returns that value. A probe that
 * throws is retried (its last message goes into the final error). The deadline is not a timed assertion: it
 * only makes a broken build fail naming `what` instead of hanging CI.
 */
export async function until<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  opts: { deadlineMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const end = Date.now() + (opts.deadlineMs ?? 60_000);
  let last = "";
  while (Date.now() < end) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 100));
  }
  throw new Error(`${what}: gave up${last ? ` (${last})` : ""}`);
}
