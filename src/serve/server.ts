import type { Logger } from "../log/logger.ts";
import { httpAcceptErrors, httpConnections, httpConnectionsClosed } from "../metrics/registry.ts";
import { type CloseReason, type ConnLimits, serveConnection } from "./http_conn.ts";
import { type ListenAddr, parseListen } from "../util/listen_addr.ts";

export type { ListenAddr };
export { parseListen };

export function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

export interface RunningServer {
  /** The bound address (the real port when 0 was asked for). */
  addr: ListenAddr;
  url: string;
  /** Stops accepting, closes idle connections, lets in-flight requests finish, resolves when all are closed. */
  shutdown(): Promise<void>;
  /** Resolves after shutdown; rejects when the listener dies of an error that is not temporary. */
  finished: Promise<void>;
  /** Open connections (tests, metrics). */
  connections(): number;
}

/** Connection limits of `serve` (config `metrics.http_*`, docs/MONITORING.md § Connection limits). */
export interface ServerLimits extends ConnLimits {
  /** Most open connections; at the cap the oldest idle one is closed for a new one, else the new one is. */
  maxConnections: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  maxConnections: 512,
  headerTimeoutMs: 10_000,
  idleTimeoutMs: 60_000,
  writeTimeoutMs: 30_000,
};

/**
 * The metric kind of an accept error: the ones that say "not now" by name (out of file descriptors or memory,
 * a client gone before accept), `other` for anything else — which is treated the same way (backed off, logged,
 * counted): only a closed listener ends the accept loop, so an error nobody foresaw cannot take the server's
 * listener, and with it `/healthz`, down while the process lives on.
 */
export function acceptErrorKind(err: unknown): string {
  return temporaryAcceptError(err) ?? "other";
}

/** Accept errors that say "not now" (out of file descriptors or memory, a client gone before accept). */
function temporaryAcceptError(err: unknown): string | undefined {
  const code = (err as { code?: string }).code ?? "";
  const msg = String((err as Error)?.message ?? "");
  if (code === "EMFILE" || /Too many open files|os error 24\b/.test(msg)) return "emfile";
  if (code === "ENFILE" || /os error 23\b/.test(msg)) return "enfile";
  if (["ENOBUFS", "ENOMEM", "ECONNABORTED", "ECONNRESET", "EPROTO"].includes(code)) return code.toLowerCase();
  if (err instanceof Deno.errors.ConnectionAborted || err instanceof Deno.errors.ConnectionReset) {
    return "aborted";
  }
  return undefined;
}

interface Tracked {
  conn: Deno.Conn;
  /** When it became idle (waiting for a request head), or undefined while a request is answered. */
  idleSince: number | undefined;
  /** Requests it has been answered so far (0: it never sent one — the kind an idle flood is made of). */
  served: number;
  kill(reason: CloseReason): void;
}

/**
 * Starts the HTTP server: our own accept loop over `Deno.listen` and HTTP/1.x connection handling
 * (src/serve/http_conn.ts) instead of `Deno.serve`, which has no header/idle timeout and whose accept loop
 * ends the process on EMFILE. Here:
 *  - a connection must send its request head within `headerTimeoutMs`, and a kept-alive one its next within
 *    `idleTimeoutMs`; a write that makes no progress for `writeTimeoutMs` closes it;
 *  - at most `maxConnections` are open: a new connection past the cap evicts the oldest idle one (one that
 *    has not sent a complete request head), or is closed at once when none is idle;
 *  - EMFILE/ENFILE (and every other accept error but a closed listener) do not stop the server: it evicts
 *    the oldest idle connection (out of descriptors), backs off (5 ms doubling to 1 s) and keeps accepting,
 *    so `/healthz` keeps answering.
 * Request errors never reach the listener: the handler answers them, the connection layer answers protocol
 * garbage (bad request line 400, oversized head 431, stalled head 408) and closes that connection.
 */
export function startServer(
  listen: ListenAddr,
  handler: (req: Request) => Promise<Response>,
  log: Logger,
  limits: ServerLimits = DEFAULT_LIMITS,
): Promise<RunningServer> {
  let listener: Deno.Listener<Deno.TcpConn, Deno.NetAddr>;
  try {
    listener = Deno.listen({ hostname: listen.hostname, port: listen.port, transport: "tcp" });
  } catch (err) {
    const e = err as Error;
    return Promise.reject(
      new Error(
        `cannot listen on ${listen.hostname}:${listen.port}: ${e.name}${
          e.message ? ` (${e.message.split("\n")[0]})` : ""
        }`,
      ),
    );
  }
  const onError = (err: unknown): Response => {
    log.error("request handler crashed", { err });
    return new Response("internal error\n", { status: 500 });
  };
  const open = new Set<Tracked>();
  const tasks = new Set<Promise<void>>();
  let stopping = false;
  let lastAcceptWarn = 0;

  const setGauge = () => httpConnections.set(open.size);
  /**
   * Closes the idle connection that has waited longest for a request head, preferring one that never sent a
   * request (a flood's) over a kept-alive one that did (a scraper's); false when none is idle.
   */
  const evictOldestIdle = (reason: CloseReason): boolean => {
    let oldest: Tracked | undefined;
    for (const t of open) {
      if (t.idleSince === undefined) continue;
      const better = !oldest || (t.served === 0 && oldest.served > 0) ||
        ((t.served === 0) === (oldest.served === 0) && t.idleSince < oldest.idleSince!);
      if (better) oldest = t;
    }
    if (!oldest) return false;
    oldest.kill(reason);
    open.delete(oldest); // its fd is closed now; the task finishes on its own
    setGauge();
    return true;
  };

  const track = (conn: Deno.Conn) => {
    let resolveKill!: (r: CloseReason) => void;
    const killed = new Promise<CloseReason>((resolve) => (resolveKill = resolve));
    // Closing the socket right here frees its descriptor before the accept loop tries again.
    const kill = (r: CloseReason) => {
      try {
        conn.close();
      } catch { /* already closed */ }
      resolveKill(r);
    };
    const t: Tracked = { conn, idleSince: Date.now(), served: 0, kill };
    open.add(t);
    setGauge();
    const task = serveConnection(
      conn,
      handler,
      limits,
      {
        busy: (b) => {
          if (!b && t.idleSince === undefined) t.served++;
          t.idleSince = b ? undefined : Date.now();
        },
        kill: killed,
        closing: () => stopping,
      },
      log,
      onError,
    ).then((reason) => {
      httpConnectionsClosed.inc({ reason });
    }).finally(() => {
      open.delete(t);
      setGauge();
      tasks.delete(task);
    });
    tasks.add(task);
  };

  const acceptLoop = async (): Promise<void> => {
    let backoffMs = 0;
    while (!stopping) {
      let conn: Deno.TcpConn;
      try {
        conn = await listener.accept();
        backoffMs = 0;
      } catch (err) {
        if (stopping || err instanceof Deno.errors.BadResource || err instanceof Deno.errors.Interrupted) {
          break;
        }
        const kind = acceptErrorKind(err);
        httpAcceptErrors.inc({ kind });
        // Out of descriptors: free one held by an idle client, then try again (never give up serving).
        const freed = kind === "emfile" || kind === "enfile" ? evictOldestIdle("evicted") : false;
        if (Date.now() - lastAcceptWarn > 10_000) {
          lastAcceptWarn = Date.now();
          log.warn("serve: accept failed, backing off and serving on", {
            error: (err as Error).message,
            open_connections: open.size,
            evicted_idle: freed,
          });
        }
        // After an eviction, one short pause lets the runtime release the descriptor (closing a socket with a
        // read in flight frees it a tick later); without one, back off 5 ms doubling to 1 s.
        backoffMs = freed ? 0 : Math.min(Math.max(backoffMs * 2, 5), 1000);
        await new Promise((r) => setTimeout(r, freed ? 1 : backoffMs));
        continue;
      }
      if (stopping) {
        conn.close();
        break;
      }
      if (open.size >= limits.maxConnections && !evictOldestIdle("evicted")) {
        httpConnectionsClosed.inc({ reason: "over_cap" });
        try {
          conn.close();
        } catch { /* gone */ }
        continue;
      }
      track(conn);
    }
  };

  const finished = acceptLoop().finally(() => {
    try {
      listener.close();
    } catch { /* closed by shutdown */ }
  });
  finished.catch(() => {}); // observed by the caller (serve races it); never an unhandled rejection here

  const a = listener.addr;
  const host = a.hostname.includes(":") ? `[${a.hostname}]` : a.hostname;
  return Promise.resolve({
    addr: { hostname: a.hostname, port: a.port },
    url: `http://${host}:${a.port}`,
    connections: () => open.size,
    async shutdown() {
      if (!stopping) {
        stopping = true;
        try {
          listener.close();
        } catch { /* already closed */ }
      }
      // Idle connections go now; busy ones finish their response, then close (closing() is true).
      for (const t of [...open]) if (t.idleSince !== undefined) t.kill("shutdown");
      const all = Promise.all([...tasks]);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const cap = new Promise<void>((r) => (timer = setTimeout(r, 10_000)));
      await Promise.race([all, cap]);
      clearTimeout(timer);
      for (const t of [...open]) t.kill("shutdown");
      await finished.catch(() => {});
    },
    finished,
  });
}
