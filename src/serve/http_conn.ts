/**
 * One HTTP/1.x connection of `serve`: reads request heads under a deadline, calls the handler, writes the
 * response (Content-Length, or chunked for event streams), keeps the connection alive between requests under
 * an idle deadline, and never reads a request body (a request that has one is answered, then the connection
 * closes). Why not Deno.serve: it has no header or idle timeout and its accept loop dies on EMFILE
 * (docs/MONITORING.md § Connection limits).
 */
import type { Logger } from "../log/logger.ts";
import {
  hasBody,
  header,
  MAX_HEAD_BYTES,
  parseRequestHead,
  plainResponse,
  type RequestHead,
  responseHead,
  wantsKeepAlive,
} from "./http_head.ts";

export interface ConnLimits {
  /** A new connection must send a complete request head within this long. */
  headerTimeoutMs: number;
  /** A kept-alive connection must send its next complete request head within this long. */
  idleTimeoutMs: number;
  /** One write that makes no progress for this long (a client that stops reading) closes the connection. */
  writeTimeoutMs: number;
}

/** Why a connection closed (the label of cryptorun_http_connections_closed_total). */
export type CloseReason =
  | "done"
  | "client_closed"
  | "header_timeout"
  | "idle_timeout"
  | "write_timeout"
  | "bad_request"
  | "evicted"
  | "shutdown"
  | "error";

export interface ConnControl {
  /** Called with true while a request is being answered, false while waiting for the next head. */
  busy(busy: boolean): void;
  /** Resolves when the server wants this connection gone (eviction, shutdown). */
  readonly kill: Promise<CloseReason>;
  /** True once the server is shutting down: finish the current response, then close. */
  closing(): boolean;
}

class DeadlineExceeded extends Error {}

const CHUNK_END = new TextEncoder().encode("\r\n");
const LAST_CHUNK = new TextEncoder().encode("0\r\n\r\n");

/** Serves one connection until it closes; resolves with why. Never throws. */
export async function serveConnection(
  conn: Deno.Conn,
  handler: (req: Request) => Promise<Response>,
  limits: ConnLimits,
  ctl: ConnControl,
  log: Logger,
  onError: (err: unknown) => Response,
): Promise<CloseReason> {
  const local = conn.localAddr as Deno.NetAddr;
  const localHost = local.hostname.includes(":") ? `[${local.hostname}]` : local.hostname;
  let buf: Uint8Array = new Uint8Array(0);
  let eof = false;
  let reading: Promise<void> | undefined;
  let killed: CloseReason | undefined;
  ctl.kill.then((r) => {
    killed = r;
    try {
      conn.close();
    } catch { /* already closed */ }
  });

  /** One read into `buf` (shared: at most one read in flight, also while a response streams). */
  const fill = (): Promise<void> =>
    reading ??= (async () => {
      const chunk = new Uint8Array(16 * 1024);
      try {
        const n = await conn.read(chunk);
        if (n === null) eof = true;
        else {
          const next = new Uint8Array(buf.length + n);
          next.set(buf);
          next.set(chunk.subarray(0, n), buf.length);
          buf = next;
        }
      } catch {
        eof = true;
      } finally {
        reading = undefined;
      }
    })();

  const deadline = <T>(p: Promise<T>, ms: number): Promise<T> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    return Promise.race([
      p,
      new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new DeadlineExceeded()), ms))),
    ]).finally(() => clearTimeout(timer));
  };

  const writeAll = async (bytes: Uint8Array): Promise<void> => {
    let off = 0;
    while (off < bytes.length) off += await deadline(conn.write(bytes.subarray(off)), limits.writeTimeoutMs);
  };

  /** Waits for a complete head; "eof" when the client went away first. */
  const readHead = async (
    ms: number,
  ): Promise<
    { kind: "head"; head: RequestHead } | { kind: "error"; status: 400 | 431 | 505; reason: string } | {
      kind: "eof";
    }
  > => {
    const until = Date.now() + ms;
    for (;;) {
      const p = parseRequestHead(buf);
      if (p.kind === "head") {
        buf = buf.subarray(p.used);
        return p;
      }
      if (p.kind === "error") return p;
      if (eof) return { kind: "eof" };
      const left = until - Date.now();
      if (left <= 0) throw new DeadlineExceeded();
      await deadline(fill(), left);
    }
  };

  /** Writes the response; false when the connection must close afterwards (a write failed, or 1.0 stream). */
  const writeResponse = async (res: Response, head: RequestHead, keepAlive: boolean): Promise<boolean> => {
    const isHead = head.method === "HEAD";
    const streaming = !isHead && res.body !== null &&
      (res.headers.get("content-type") ?? "").startsWith("text/event-stream");
    const connection: [string, string] = ["connection", keepAlive ? "keep-alive" : "close"];
    if (!streaming) {
      const body = isHead || res.body === null ? null : new Uint8Array(await res.arrayBuffer());
      if (isHead) await res.body?.cancel();
      const framing: Array<[string, string]> = body !== null || !isHead
        ? [["content-length", String(body?.length ?? 0)], connection]
        : [connection];
      const h = responseHead(res.status, res.statusText, res.headers, framing);
      if (body && body.length > 0) {
        const all = new Uint8Array(h.length + body.length);
        all.set(h);
        all.set(body, h.length);
        await writeAll(all);
      } else await writeAll(h);
      return keepAlive;
    }
    // An event stream: chunked on HTTP/1.1 (the connection may live on), close-delimited on HTTP/1.0.
    const chunked = head.minor === 1;
    await writeAll(responseHead(res.status, res.statusText, res.headers, [
      ...(chunked ? [["transfer-encoding", "chunked"] as [string, string]] : []),
      chunked ? connection : ["connection", "close"],
    ]));
    const reader = res.body!.getReader();
    // A client that goes away is noticed by reading (the read side sees EOF), not only by a failed write.
    let streaming_ = true;
    const watch = (async () => {
      while (streaming_ && !eof && buf.length <= MAX_HEAD_BYTES && killed === undefined) await fill();
      return "watch" as const;
    })();
    let watching = true;
    let next = reader.read();
    try {
      for (;;) {
        const r = watching ? await Promise.race([next, watch]) : await next;
        if (r === "watch") {
          if (eof) {
            await reader.cancel().catch(() => {});
            return false;
          }
          watching = false; // pipelined bytes filled the buffer: stream on without the watcher
          continue;
        }
        if (r.done) break;
        await writeChunk(r.value);
        next = reader.read();
      }
      if (chunked) await writeAll(LAST_CHUNK);
      return chunked && keepAlive;
    } catch (err) {
      await reader.cancel().catch(() => {});
      throw err;
    } finally {
      streaming_ = false;
    }

    async function writeChunk(value: Uint8Array): Promise<void> {
      if (value.length === 0) return;
      if (!chunked) return await writeAll(value);
      const size = new TextEncoder().encode(value.length.toString(16) + "\r\n");
      const all = new Uint8Array(size.length + value.length + 2);
      all.set(size);
      all.set(value, size.length);
      all.set(CHUNK_END, size.length + value.length);
      await writeAll(all);
    }
  };

  let first = true;
  /** A response went out on a connection we close: let the client read it before the socket goes. */
  let linger = false;
  try {
    for (;;) {
      if (killed) return killed;
      ctl.busy(false);
      let got;
      try {
        got = await readHead(first ? limits.headerTimeoutMs : limits.idleTimeoutMs);
      } catch (err) {
        if (!(err instanceof DeadlineExceeded)) throw err;
        if (killed) return killed;
        if (buf.length === 0) return first ? "header_timeout" : "idle_timeout";
        // A client that started a request and stalled gets a 408.
        await writeAll(plainResponse(408, "request header timeout")).catch(() => {});
        linger = true;
        return "header_timeout";
      }
      if (killed) return killed;
      if (got.kind === "eof") return "client_closed";
      ctl.busy(true);
      if (got.kind === "error") {
        await writeAll(plainResponse(got.status, got.reason)).catch(() => {});
        linger = true;
        return "bad_request";
      }
      const head = got.head;
      first = false;
      let req: Request;
      try {
        const host = header(head, "host");
        const url = head.target.startsWith("/")
          ? `http://${host && /^[\w.:[\]-]+$/.test(host) ? host : `${localHost}:${local.port}`}${head.target}`
          : head.target;
        req = new Request(url, { method: head.method, headers: head.headers });
      } catch {
        await writeAll(plainResponse(400, "bad request target or header")).catch(() => {});
        linger = true;
        return "bad_request";
      }
      const body = hasBody(head);
      const keepAlive = wantsKeepAlive(head) && !body && !ctl.closing();
      let res: Response;
      try {
        res = await handler(req);
      } catch (err) {
        log.error("request handler crashed", { err });
        res = onError(err);
      }
      const again = await writeResponse(res, head, keepAlive);
      if (!again) {
        linger = !eof;
        return eof ? "client_closed" : "done";
      }
    }
  } catch (err) {
    if (killed) return killed;
    if (err instanceof DeadlineExceeded) return "write_timeout";
    return eof ? "client_closed" : "error";
  } finally {
    ctl.busy(true);
    if (!killed) {
      if (linger) {
        try {
          // Lingering close: stop sending, let the client read the answer, drop what it still sends (an
          // unread request body would otherwise turn the close into a reset that can destroy the answer).
          await conn.closeWrite().catch(() => {});
          const until = Date.now() + 1000;
          let drained = 0;
          while (!eof && drained < 1 << 20 && Date.now() < until) {
            const before = buf.length;
            await deadline(fill(), Math.max(1, until - Date.now())).catch(() => (eof = true));
            drained += buf.length - before;
            buf = new Uint8Array(0);
          }
        } catch { /* closing anyway */ }
      }
      try {
        conn.close();
      } catch { /* already closed */ }
    }
  }
}
