// serve's own HTTP/1.x request-head parser: complete heads, partial ones, and the 4xx for garbage.
import assert from "node:assert/strict";
import { hasBody, MAX_HEAD_BYTES, parseRequestHead, wantsKeepAlive } from "../../src/serve/http_head.ts";

const enc = (s: string) => new TextEncoder().encode(s);

Deno.test("parseRequestHead: a complete head, pipelined bytes left over, CRLF or bare LF", () => {
  const r = parseRequestHead(enc("GET /metrics?x=1 HTTP/1.1\r\nHost: a:1\r\nAccept: */*\r\n\r\nGET /next"));
  assert.equal(r.kind, "head");
  if (r.kind !== "head") return;
  assert.deepEqual(r.head, {
    method: "GET",
    target: "/metrics?x=1",
    minor: 1,
    headers: [["host", "a:1"], ["accept", "*/*"]],
  });
  assert.equal(
    new TextDecoder().decode(
      enc("GET /metrics?x=1 HTTP/1.1\r\nHost: a:1\r\nAccept: */*\r\n\r\nGET /next").subarray(r.used),
    ),
    "GET /next",
  );
  const lf = parseRequestHead(enc("\r\nHEAD / HTTP/1.0\nConnection: keep-alive\n\n"));
  assert.equal(lf.kind, "head");
  if (lf.kind === "head") {
    assert.equal(lf.head.minor, 0);
    assert.ok(wantsKeepAlive(lf.head));
  }
});

Deno.test("parseRequestHead: incomplete → more; garbage → 400, too large → 431, HTTP/2 preface → 505", () => {
  assert.equal(parseRequestHead(enc("GET / HTTP/1.1\r\nHost: x\r\n")).kind, "more");
  assert.equal(parseRequestHead(enc("")).kind, "more");
  const cases: Array<[string, number]> = [
    ["NOT HTTP AT ALL\r\n\r\n", 400],
    ["GET / HTTP/1.1\r\nBad Header\r\n\r\n", 400],
    ["GET / HTTP/1.1\r\nX: a\r\n folded\r\n\r\n", 400],
    ["GET / HTTP/2.0\r\n\r\n", 505],
    [`GET / HTTP/1.1\r\nX: ${"a".repeat(MAX_HEAD_BYTES)}\r\n\r\n`, 431],
    [`GET / HTTP/1.1\r\n${"X: a\r\n".repeat(101)}\r\n`, 431],
  ];
  for (const [text, status] of cases) {
    const r = parseRequestHead(enc(text));
    assert.equal(r.kind === "error" ? r.status : r.kind, status, text.slice(0, 40));
  }
  // A head that never ends is refused once it passes the limit, not buffered forever.
  const endless = parseRequestHead(enc(`GET / HTTP/1.1\r\nX: ${"a".repeat(MAX_HEAD_BYTES + 10)}`));
  assert.equal(endless.kind === "error" && endless.status, 431);
});

Deno.test("keep-alive and bodies: HTTP/1.1 keeps unless Connection: close; a body closes the connection", () => {
  const head = (extra: string, v = "1.1") => {
    const r = parseRequestHead(enc(`POST / HTTP/${v}\r\n${extra}\r\n`));
    if (r.kind !== "head") throw new Error("no head");
    return r.head;
  };
  assert.ok(wantsKeepAlive(head("")));
  assert.ok(!wantsKeepAlive(head("Connection: close\r\n")));
  assert.ok(!wantsKeepAlive(head("", "1.0")));
  assert.ok(hasBody(head("Content-Length: 5\r\n")));
  assert.ok(hasBody(head("Transfer-Encoding: chunked\r\n")));
  assert.ok(!hasBody(head("Content-Length: 0\r\n")));
});
