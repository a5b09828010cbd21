import type { Logger } from "../log/logger.ts";
import { UsageError } from "../util/errors.ts";
import { checkListen, type ListenAddr } from "../util/listen_addr.ts";

export type { ListenAddr };

/**
 * Parses `host:port` or `[v6]:port` (port 0 = any free port) with the config schema's own validator
 * (`checkListen`); UsageError naming `what` and the value.
 */
export function parseListen(value: string, what = "--listen"): ListenAddr {
  const r = checkListen(value);
  if (!r.ok) throw new UsageError(`${what}: ${r.reason}, found ${JSON.stringify(value)}`);
  return r.addr;
}

export function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

export interface RunningServer {
  /** The bound address (the real port when 0 was asked for). */
  addr: ListenAddr;
  url: string;
  /** Stops accepting, lets in-flight requests finish, resolves when the listener is closed. */
  shutdown(): Promise<void>;
  finished: Promise<void>;
}

/**
 * Starts the HTTP server. Request errors never reach the listener: the handler answers them, and the
 * runtime answers protocol-level garbage (oversized headers, bad request lines) with 4xx by itself.
 */
export function startServer(
  listen: ListenAddr,
  handler: (req: Request) => Promise<Response>,
  log: Logger,
): Promise<RunningServer> {
  let bound: Deno.NetAddr | undefined;
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve({
      hostname: listen.hostname,
      port: listen.port,
      onListen: (a) => {
        bound = a;
      },
      onError: (err) => {
        log.error("request handler crashed", { err });
        return new Response("internal error\n", { status: 500 });
      },
    }, handler);
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
  const a = bound ?? server.addr;
  const host = a.hostname.includes(":") ? `[${a.hostname}]` : a.hostname;
  return Promise.resolve({
    addr: { hostname: a.hostname, port: a.port },
    url: `http://${host}:${a.port}`,
    shutdown: () => server.shutdown(),
    finished: server.finished,
  });
}
