import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import postgres from "postgres";
import type { Logger } from "../log/logger.ts";
import type { Db, Sql } from "./db.ts";
import { acquireDirLock } from "./dir_lock.ts";
import { pingDb } from "./ping.ts";

export interface EmbeddedOptions {
  log: Logger;
}

interface Shared {
  db: Promise<Db>;
  refs: number;
}

/** Open embedded databases of this process by real path: PGlite starts once, every opener shares it. */
const SHARED = new Map<string, Shared>();

/**
 * Opens (or joins) the embedded database of `dataDir`. Within one process every opener shares one PGlite
 * instance and one connection (reference-counted: the last `close()` stops it); another process holding the
 * directory is an error naming its pid.
 */
export async function openEmbedded(dataDir: string, opts: EmbeddedOptions): Promise<Db> {
  // Keyed by the real path (symlinks followed): two paths to one directory must share one instance, or two
  // PGlite instances would write the same files.
  await Deno.mkdir(dataDir, { recursive: true });
  const key = await Deno.realPath(dataDir);
  let entry = SHARED.get(key);
  if (!entry) {
    entry = { db: startEmbedded(key, opts), refs: 0 };
    SHARED.set(key, entry);
    entry.db.catch(() => SHARED.delete(key));
  }
  entry.refs++;
  let inner: Db;
  try {
    inner = await entry.db;
  } catch (err) {
    entry.refs--;
    throw err;
  }
  const e = entry;
  let closed = false;
  return {
    ...inner,
    async close() {
      if (closed) return;
      closed = true;
      if (--e.refs > 0) return;
      SHARED.delete(key);
      await inner.close();
    },
  };
}

/**
 * Starts the embedded database: PGlite (Postgres compiled to WASM) stored under `<dataDir>/db`, served on a
 * loopback port by pglite-socket so the same npm:postgres client and the same SQL work as on a real server.
 * One process at a time: `<dataDir>/db.lock` holds the owner's pid.
 */
async function startEmbedded(dataDir: string, opts: EmbeddedOptions): Promise<Db> {
  const dir = join(dataDir, "db");
  await Deno.mkdir(dir, { recursive: true });
  const lock = await acquireDirLock(join(dataDir, "db.lock"), dir);
  let pg: PGlite | undefined;
  let server: PGLiteSocketServer | undefined;
  try {
    const t0 = performance.now();
    pg = await PGlite.create(dir);
    // PGlite is single-connection; the server multiplexes. One client connection keeps transactions simple.
    server = new PGLiteSocketServer({ db: pg, host: "127.0.0.1", port: 0, maxConnections: 4 });
    await server.start();
    const port = Number(server.getServerConn().split(":").pop());
    await lock.setPort(port);
    const sql: Sql = postgres({
      host: "127.0.0.1",
      port,
      user: "postgres",
      database: "postgres",
      max: 1,
      prepare: true,
      idle_timeout: 0,
      onnotice: (n) => opts.log.debug("pglite notice", { message: n.message }),
    });
    opts.log.debug("persistence: embedded", { dir, ms: Math.round(performance.now() - t0) });
    const p = pg, s = server;
    let closed = false;
    return {
      kind: "embedded",
      sql,
      canCopy: false,
      where: dir,
      ping: (signal, timeoutMs) => pingDb(sql, signal, timeoutMs),
      async close() {
        if (closed) return;
        closed = true;
        try {
          await sql.end({ timeout: 5 });
          await s.stop();
          await p.close();
        } finally {
          await lock.release();
        }
      },
    };
  } catch (err) {
    await server?.stop().catch(() => {});
    await pg?.close().catch(() => {});
    await lock.release();
    throw err;
  }
}
