import type { Sql } from "./db.ts";

/** `select 1` with an optional AbortSignal and timeout (the query is cancelled on abort). */
export async function pingDb(sql: Sql, signal?: AbortSignal, timeoutMs = 10_000): Promise<void> {
  signal?.throwIfAborted();
  const q = sql`select 1 as ok`;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const onAbort = () => void q.cancel();
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    await Promise.race([
      q,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          q.cancel();
          reject(new Error(`database ping timed out after ${timeoutMs} ms`));
        }, timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
    q.catch(() => {});
  }
}
