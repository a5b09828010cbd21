/**
 * An in-process lease on the embedded database. PGlite allows one opener per data dir, so inside `serve` the
 * scan job (which opens the database for its run) and the readiness probe take turns: the job waits for the
 * lease, the probe never waits — while the job holds it, the job itself is the proof of reachability.
 */
export interface DbLease {
  /** Takes the lease when free; null (and who holds it) when busy. */
  tryAcquire(holder: string): { release: () => void } | { busyWith: string };
  /** Waits for the lease. */
  acquire(holder: string, signal?: AbortSignal): Promise<() => void>;
}

export function createDbLease(): DbLease {
  let holder: string | null = null;
  const waiters: Array<() => void> = [];
  const release = () => {
    holder = null;
    waiters.shift()?.();
  };
  return {
    tryAcquire(h) {
      if (holder !== null) return { busyWith: holder };
      holder = h;
      return { release };
    },
    async acquire(h, signal) {
      while (holder !== null) {
        signal?.throwIfAborted();
        await new Promise<void>((resolve, reject) => {
          const onAbort = () => {
            const i = waiters.indexOf(wake);
            if (i >= 0) waiters.splice(i, 1);
            reject(signal!.reason);
          };
          const wake = () => {
            signal?.removeEventListener("abort", onAbort);
            resolve();
          };
          waiters.push(wake);
          signal?.addEventListener("abort", onAbort, { once: true });
        });
      }
      holder = h;
      return release;
    },
  };
}
