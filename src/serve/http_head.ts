/**
 * HTTP/1.x request heads and response heads for `serve`'s own connection handling (src/serve/http_conn.ts).
 * Pure functions: bytes in, a parsed head or the 4xx status to answer with out.
 */

/** Largest request head (request line + headers) accepted; larger → 431. */
export const MAX_HEAD_BYTES = 16 * 1024;
/** Most header lines accepted; more → 431. */
export const MAX_HEADERS = 100;

export interface RequestHead {
  method: string;
  /** The request target as sent: origin-form `/path?query` or absolute-form `http://host/path`. */
  target: string;
  /** Minor version: 0 (HTTP/1.0) or 1 (HTTP/1.1). */
  minor: 0 | 1;
  headers: Array<[string, string]>;
}

export type HeadParse =
  | {
    kind: "head";
    head: RequestHead; /** Bytes of the buffer the head used (incl. its blank line). */
    used: number;
  }
  | { kind: "more" }
  | { kind: "error"; status: 400 | 431 | 505; reason: string };

const TOKEN = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]+";
const REQUEST_LINE_RE = new RegExp(`^(${TOKEN}) (\\S+) HTTP/(\\d)\\.(\\d)$`);
const HEADER_RE = new RegExp(`^(${TOKEN}):[ \\t]*(.*?)[ \\t]*$`);
const latin1 = new TextDecoder("latin1");

/** The end of the head (index after the blank line) in `buf`, or -1. Accepts CRLF and bare LF line ends. */
function headEnd(buf: Uint8Array, from: number): number {
  for (let i = from; i < buf.length; i++) {
    if (buf[i] !== 10) continue; // \n
    if (buf[i + 1] === 10) return i + 2;
    if (buf[i + 1] === 13 && buf[i + 2] === 10) return i + 3;
  }
  return -1;
}

/**
 * Parses one request head from the start of `buf`. `more` = not complete yet (and still under
 * MAX_HEAD_BYTES); `error` = answer with that status and close the connection.
 */
export function parseRequestHead(buf: Uint8Array): HeadParse {
  // Empty lines before a request line are allowed (RFC 9112 §2.2).
  let start = 0;
  while (start < buf.length && (buf[start] === 13 || buf[start] === 10)) start++;
  const end = headEnd(buf, start);
  if (end < 0) {
    return buf.length - start > MAX_HEAD_BYTES
      ? { kind: "error", status: 431, reason: "request header fields too large" }
      : { kind: "more" };
  }
  if (end - start > MAX_HEAD_BYTES) {
    return { kind: "error", status: 431, reason: "request header fields too large" };
  }
  const lines = latin1.decode(buf.subarray(start, end)).split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  const m = REQUEST_LINE_RE.exec(lines[0] ?? "");
  if (!m) return { kind: "error", status: 400, reason: "bad request line" };
  if (m[3] !== "1" || (m[4] !== "0" && m[4] !== "1")) {
    return { kind: "error", status: 505, reason: "HTTP version not supported" };
  }
  if (lines.length - 1 > MAX_HEADERS) return { kind: "error", status: 431, reason: "too many header fields" };
  const headers: Array<[string, string]> = [];
  for (const line of lines.slice(1)) {
    const h = HEADER_RE.exec(line);
    if (!h) return { kind: "error", status: 400, reason: "bad header line" }; // incl. obsolete line folding
    headers.push([h[1].toLowerCase(), h[2]]);
  }
  return {
    kind: "head",
    head: { method: m[1], target: m[2], minor: m[4] === "1" ? 1 : 0, headers },
    used: end,
  };
}

/** The value of a header (the first one with that lower-case name), or undefined. */
export function header(head: RequestHead, name: string): string | undefined {
  return head.headers.find(([k]) => k === name)?.[1];
}

/** True when the request carries a body (we never read one: such a connection is closed after the answer). */
export function hasBody(head: RequestHead): boolean {
  const te = header(head, "transfer-encoding");
  const cl = header(head, "content-length");
  return te !== undefined || (cl !== undefined && cl.trim() !== "0");
}

/** HTTP/1.1 keeps the connection unless `Connection: close`; HTTP/1.0 only with `Connection: keep-alive`. */
export function wantsKeepAlive(head: RequestHead): boolean {
  const c = (header(head, "connection") ?? "").toLowerCase();
  return head.minor === 1 ? !/\bclose\b/.test(c) : /\bkeep-alive\b/.test(c);
}

const REASONS: Record<number, string> = {
  200: "OK",
  204: "No Content",
  304: "Not Modified",
  400: "Bad Request",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  503: "Service Unavailable",
  505: "HTTP Version Not Supported",
};

/** Headers the connection layer owns (framing): never copied from a handler's Response. */
const FRAMING = new Set(["connection", "content-length", "transfer-encoding", "keep-alive", "date"]);

/** The status line and headers of a response, ending with the blank line. */
export function responseHead(
  status: number,
  statusText: string,
  headers: Headers,
  framing: Array<[string, string]>,
): Uint8Array {
  const lines = [`HTTP/1.1 ${status} ${statusText || REASONS[status] || ""}`.trimEnd()];
  for (const [k, v] of headers) if (!FRAMING.has(k)) lines.push(`${k}: ${v}`);
  lines.push(`date: ${new Date().toUTCString()}`);
  for (const [k, v] of framing) lines.push(`${k}: ${v}`);
  return new TextEncoder().encode(lines.join("\r\n") + "\r\n\r\n");
}

/** A small plain-text answer written by the connection layer itself (400/408/431/505). */
export function plainResponse(status: 400 | 408 | 431 | 505, reason: string): Uint8Array {
  const body = `${reason}\n`;
  const head = responseHead(status, "", new Headers({ "content-type": "text/plain; charset=utf-8" }), [
    ["content-length", String(new TextEncoder().encode(body).length)],
    ["connection", "close"],
  ]);
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(new TextEncoder().encode(body), head.length);
  return out;
}
