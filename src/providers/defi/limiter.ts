import type { GetJson } from "../derivs_http.ts";

/**
 * A small client-side rate limiter: requests through it start at least `minIntervalMs` apart (in call order),
 * so a burst of reads never hammers a free API. A 429's Retry-After is honoured by the retry policy around it
 * (src/providers/resilience.ts), and each retry attempt passes through here again.
 */
export function spaced(
  get: GetJson,
  o: { minIntervalMs: number; now?: () => number; sleep?: (ms: number) => Promise<void> },
): GetJson {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let next = -Infinity;
  return async (url, endpoint, signal, postBody) => {
    const t = now();
    const start = Math.max(t, next);
    next = start + o.minIntervalMs;
    if (start > t) await sleep(start - t);
    signal?.throwIfAborted();
    return await get(url, endpoint, signal, postBody);
  };
}
