import { join } from "node:path";
import { InputError } from "../../util/errors.ts";
import { failpoint } from "../../util/failpoint.ts";
import { isoMs } from "../../util/time.ts";
import { hostName, LOCK_FILE } from "./table_dir.ts";

/**
 * One writer per table: an exclusive OS lock (flock, `Deno.FsFile.tryLock`) on `<root>/_lock`, held for the
 * whole write (duplicate check, staging, commit). The file records the holder — pid, host, start time,
 * command — for the message a second writer gets. The OS drops the lock when its holder dies (kill -9,
 * crash, power loss), so a stale lock needs no takeover logic: the next writer simply gets it. The lock file
 * itself is never deleted (deleting a flock'ed file lets two writers lock two different files).
 *
 * flock works between processes on one host and between opens in one process. It is not reliable on
 * network filesystems (NFS): keep a table on a local disk (docs/COLD.md).
 */

export interface TableLock {
  path: string;
  release(): Promise<void>;
}

export interface LockOptions {
  table: string;
  /** What the holder is doing, for the other writers' message (e.g. "cryptorun cold write"). */
  command: string;
  /** How long to wait for a busy lock: 0 = fail at once, Infinity = until it is free. */
  waitMs: number;
  /** Appended to the "busy" error (e.g. "; use --wait"). */
  busyHint?: string;
  signal?: AbortSignal;
}

interface Holder {
  pid?: number;
  host?: string;
  since?: string;
  command?: string;
}

async function readHolder(f: Deno.FsFile): Promise<Holder> {
  try {
    await f.seek(0, Deno.SeekMode.Start);
    const buf = new Uint8Array(1024);
    const n = (await f.read(buf)) ?? 0;
    return JSON.parse(new TextDecoder().decode(buf.subarray(0, n))) as Holder;
  } catch {
    return {};
  }
}

function describe(h: Holder): string {
  if (h.pid === undefined) return "another process (its details are not written yet)";
  return `pid ${h.pid} on host ${h.host ?? "?"} since ${h.since ?? "?"}${h.command ? ` (${h.command})` : ""}`;
}

/** Takes the table's writer lock, waiting up to `waitMs`; the error names the holder. */
export async function acquireTableLock(root: string, o: LockOptions): Promise<TableLock> {
  await Deno.mkdir(root, { recursive: true });
  const path = join(root, LOCK_FILE);
  const f = await Deno.open(path, { read: true, write: true, create: true });
  try {
    const deadline = Date.now() + o.waitMs;
    let pause = 20;
    while (!(await f.tryLock(true))) {
      o.signal?.throwIfAborted();
      if (Date.now() >= deadline) {
        // A holder that has just taken the lock writes its record right after: give it a moment.
        let h = await readHolder(f);
        for (let i = 0; i < 10 && h.pid === undefined; i++) {
          await new Promise((r) => setTimeout(r, 20));
          h = await readHolder(f);
        }
        const waited = o.waitMs > 0 ? ` (waited ${Math.round(o.waitMs / 1000)} s)` : "";
        throw new InputError(
          `table ${o.table} at ${root} is being written by ${describe(h)}${waited}${o.busyHint ?? ""}`,
        );
      }
      await new Promise((r) => setTimeout(r, Math.min(pause, Math.max(1, deadline - Date.now()))));
      pause = Math.min(pause * 2, 250);
    }
    const holder: Holder = { pid: Deno.pid, host: hostName(), since: isoMs(Date.now()), command: o.command };
    await f.truncate(0);
    await f.seek(0, Deno.SeekMode.Start);
    await f.write(new TextEncoder().encode(JSON.stringify(holder) + "\n"));
    await failpoint("cold.locked");
  } catch (err) {
    f.close(); // also releases the lock if we got it
    throw err;
  }
  let released = false;
  return {
    path,
    async release() {
      if (released) return;
      released = true;
      try {
        await f.truncate(0); // no stale holder in the file for the next message
      } finally {
        f.close(); // releases the flock
      }
    },
  };
}

/** Runs `fn` holding the table's writer lock. */
export async function withTableLock<T>(
  root: string,
  o: LockOptions,
  fn: (lock: TableLock) => Promise<T>,
): Promise<T> {
  const lock = await acquireTableLock(root, o);
  try {
    return await fn(lock);
  } finally {
    await lock.release();
  }
}
