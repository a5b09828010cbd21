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
async function ownerAlive(text: string, mtime: Date | null): Promise<{ alive: boolean; pid: string }> {
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
  const age = mtime ? Date.now() - mtime.getTime() : Infinity;
  return { alive: age < STARTING_GRACE_MS, pid };
}

/** Test seam: `judgedStale` runs after a lock was found stale and before it is taken over. */
export interface DirLockHooks {
  judgedStale?: () => Promise<void>;
}

/**
 * Takes an exclusive lock file holding our pid (and, once serving, our port). A lock whose owner no longer
 * answers is taken over; a live owner is an error naming its pid (two processes writing one PGlite directory
 * would corrupt it).
 *
 * The takeover is race-free: a process that judged the lock stale takes an exclusive OS lock (flock) on that
 * very file, checks that the path still names it (same device and inode), and only then removes it and
 * competes for a new lock with create-new semantics. Of several processes that found the same stale lock, the
 * first removes it; the others find the path replaced (or gone) and look again, so none deletes a fresh lock.
 * The OS releases the flock if its holder dies.
 */
export async function acquireDirLock(
  lockPath: string,
  what: string,
  hooks: DirLockHooks = {},
): Promise<DirLock> {
  for (let tries = 0; tries < 5; tries++) {
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
    }
    let f: Deno.FsFile;
    try {
      f = await Deno.open(lockPath, { read: true });
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) continue; // released meanwhile: try again
      throw err;
    }
    try {
      const seen = await f.stat();
      const buf = new Uint8Array(256);
      const text = new TextDecoder().decode(buf.subarray(0, (await f.read(buf)) ?? 0));
      const owner = await ownerAlive(text, seen.mtime);
      if (owner.alive) {
        throw new InputError(
          `embedded database ${what} is in use by process ${owner.pid} (lock ${lockPath}); ` +
            `stop that process first, or point --data-dir elsewhere`,
        );
      }
      await hooks.judgedStale?.();
      // Stale lock (owner gone or file unreadable): remove it, unless another process took it over first.
      await f.lock(true);
      const now = await Deno.stat(lockPath).catch(() => undefined);
      if (now && now.ino === seen.ino && now.dev === seen.dev) await Deno.remove(lockPath);
    } finally {
      f.close(); // also releases the flock
    }
  }
  throw new InputError(`cannot take the lock ${lockPath} for ${what}`);
}
