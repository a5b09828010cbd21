import { InputError } from "../util/errors.ts";

export interface DirLock {
  /** Records the loopback port the owner serves the database on (its liveness probe). */
  setPort(port: number): Promise<void>;
  release(): Promise<void>;
}

/** A lock without a port is an owner still starting; after this long without one it is stale. */
const STARTING_GRACE_MS = 60_000;

/**
 * Is the owner recorded in a lock file alive? Without --allow-all Deno may not read /proc, so liveness is
 * probed the way a client would: the owner serves the embedded database on a loopback port, recorded in
 * the lock; a refused connection means the owner is gone.
 */
async function ownerAlive(lockPath: string, text: string): Promise<{ alive: boolean; pid: string }> {
  const [pid = "?", port] = text.trim().split(/\s+/);
  if (pid === String(Deno.pid)) {
    // Our own pid in the file is a leftover of an earlier process with the same pid (containers start at
    // pid 1 every time): opens within this process are shared before they reach the lock (embedded.ts).
    return { alive: false, pid };
  }
  if (port && /^\d{1,5}$/.test(port)) {
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(port) });
      conn.close();
      return { alive: true, pid };
    } catch {
      return { alive: false, pid };
    }
  }
  const st = await Deno.stat(lockPath).catch(() => undefined);
  const age = st?.mtime ? Date.now() - st.mtime.getTime() : Infinity;
  return { alive: age < STARTING_GRACE_MS, pid };
}

/**
 * Takes an exclusive lock file holding our pid (and, once serving, our port). A lock whose owner no longer
 * answers is taken over; a live owner is an error naming its pid (two processes writing one PGlite directory
 * would corrupt it).
 */
export async function acquireDirLock(lockPath: string, what: string): Promise<DirLock> {
  for (let tries = 0; tries < 3; tries++) {
    try {
      const f = await Deno.open(lockPath, { write: true, createNew: true });
      await f.write(new TextEncoder().encode(`${Deno.pid}\n`));
      f.close();
      let released = false;
      return {
        async setPort(port) {
          await Deno.writeTextFile(lockPath, `${Deno.pid} ${port}\n`);
        },
        async release() {
          if (released) return;
          released = true;
          await Deno.remove(lockPath).catch(() => {});
        },
      };
    } catch (err) {
      if (!(err instanceof Deno.errors.AlreadyExists)) throw err;
      const text = await Deno.readTextFile(lockPath).catch(() => "");
      const owner = await ownerAlive(lockPath, text);
      if (owner.alive) {
        throw new InputError(
          `embedded database ${what} is in use by process ${owner.pid} (lock ${lockPath}); ` +
            `stop that process first, or point --data-dir elsewhere`,
        );
      }
      // Stale lock (owner gone or file unreadable): remove and retry.
      await Deno.remove(lockPath).catch(() => {});
    }
  }
  throw new InputError(`cannot take the lock ${lockPath} for ${what}`);
}
