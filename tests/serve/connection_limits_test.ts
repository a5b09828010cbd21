// `serve` under idle half-open connections (issue #13): with Deno.serve, ~20,000 of them (or a few hundred
// under a low `ulimit -n`) made the process exit 1 with "Too many open files". Now: a header/idle timeout, a
// connection cap that evicts the oldest idle connection, EMFILE treated as temporary — /healthz keeps answering.
import assert from "node:assert/strict";
import { nullLogger } from "../../src/log/logger.ts";
import { acceptErrorKind, parseListen, type ServerLimits, startServer } from "../../src/serve/server.ts";
import { CLI_PERMISSIONS } from "../helpers/cli.ts";
import { tempDir } from "../helpers/tmp.ts";

const handler = (req: Request) =>
  Promise.resolve(
    new URL(req.url).pathname === "/healthz" ? new Response("ok\n") : new Response("x", { status: 404 }),
  );

async function server(limits: Partial<ServerLimits>) {
  const s = await startServer(parseListen("127.0.0.1:0"), handler, nullLogger, {
    maxConnections: 512,
    headerTimeoutMs: 10_000,
    idleTimeoutMs: 60_000,
    writeTimeoutMs: 30_000,
    ...limits,
  });
  return { ...s, port: s.addr.port, [Symbol.asyncDispose]: () => s.shutdown() };
}

/** Resolves "closed" when the server closes `conn` (EOF or reset), with the bytes it sent first. */
async function closedBy(conn: Deno.Conn): Promise<string> {
  const dec = new TextDecoder();
  let text = "";
  const buf = new Uint8Array(1024);
  for (;;) {
    const n = await conn.read(buf).catch(() => null);
    if (n === null) return text;
    text += dec.decode(buf.subarray(0, n));
  }
}

async function healthz(port: number): Promise<number> {
  const r = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(30_000) });
  await r.body?.cancel();
  return r.status;
}

Deno.test("serve: a connection that sends no request head is closed after the header timeout; a stalled head gets 408", async () => {
  await using s = await server({ headerTimeoutMs: 300 });
  const idle = await Deno.connect({ hostname: "127.0.0.1", port: s.port });
  const partial = await Deno.connect({ hostname: "127.0.0.1", port: s.port });
  await partial.write(new TextEncoder().encode("GET /healthz HTTP/1.1\r\nHost: x\r\n"));
  const [a, b] = await Promise.all([closedBy(idle), closedBy(partial)]);
  idle.close();
  partial.close();
  assert.equal(a, "", "an idle connection is closed silently");
  assert.match(b, /^HTTP\/1\.1 408 /);
  assert.equal(await healthz(s.port), 200);
  assert.ok(s.connections() <= 1, "only the kept-alive /healthz connection is left");
});

Deno.test("serve: a kept-alive connection idle past the idle timeout is closed; one in use is not", async () => {
  await using s = await server({ headerTimeoutMs: 5_000, idleTimeoutMs: 300 });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: s.port });
  await conn.write(new TextEncoder().encode("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  const text = await closedBy(conn);
  conn.close();
  assert.match(text, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(text, /\r\nconnection: keep-alive\r\n/);
  assert.match(text, /\r\n\r\nok\n$/);
});

Deno.test("serve: past the connection cap the oldest idle connection is evicted; /healthz still answers", async () => {
  await using s = await server({ maxConnections: 5 });
  const idle: Deno.Conn[] = [];
  for (let i = 0; i < 5; i++) idle.push(await Deno.connect({ hostname: "127.0.0.1", port: s.port }));
  while (s.connections() < 5) await new Promise((r) => setTimeout(r, 5));
  const firstClosed = closedBy(idle[0]);
  // A new client over the cap: the oldest idle connection makes room for it.
  assert.equal(await healthz(s.port), 200);
  assert.equal(await firstClosed, "");
  for (const c of idle) c.close();
  assert.ok(s.connections() <= 5);
});

/** Reads a child's stdout until a line matches, returning the match. */
async function lineMatching(r: ReadableStreamDefaultReader<string>, re: RegExp): Promise<RegExpExecArray> {
  let text = "";
  for (;;) {
    const { value, done } = await r.read();
    if (done) throw new Error(`stdout ended before ${re}: ${text}`);
    text += value;
    const m = re.exec(text);
    if (m) return m;
  }
}

Deno.test("serve (real process, ulimit -n 128): hundreds of idle connections do not kill it; /healthz answers; SIGTERM exits 0", async () => {
  await using dir = await tempDir();
  const root = new URL("../../", import.meta.url).pathname;
  const deno = [Deno.execPath(), "run", ...CLI_PERMISSIONS, `${root}main.ts`].map((a) => `'${a}'`).join(" ");
  const child = new Deno.Command("bash", {
    args: ["-c", `ulimit -n 128 && exec ${deno} --data-dir '${dir.path}' serve --listen 127.0.0.1:0`],
    cwd: root,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const out = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const conns: Deno.Conn[] = [];
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  try {
    const port = Number((await lineMatching(out, /listening on http:\/\/127\.0\.0\.1:(\d+)/))[1]);
    assert.equal(await healthz(port), 200);
    // Far more idle half-open connections than the process has file descriptors.
    for (let i = 0; i < 400; i++) {
      try {
        conns.push(await Deno.connect({ hostname: "127.0.0.1", port }));
      } catch (err) {
        // Refused means the listener is gone: say whether the server exited and what it logged.
        await new Promise((r) => setTimeout(r, 200));
        const was = exited ? "had exited" : "was still running";
        if (!exited) child.kill("SIGTERM");
        throw new Error(
          `connection ${i + 1} of 400: ${err}; the server ${was}; its stderr:\n${await stderr}`,
        );
      }
    }
    for (let i = 0; i < 3; i++) {
      assert.equal(await healthz(port), 200, `healthz #${i + 1} while 400 idle connections were opened`);
    }
    assert.ok(!exited, "the server is still running");
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    // The descriptor limit really was hit, and handled by evicting idle connections.
    assert.match(metrics, /^cryptorun_http_accept_errors_total\{kind="emfile"\} [1-9]/m);
    assert.match(metrics, /^cryptorun_http_connections_closed_total\{reason="evicted"\} [1-9]/m);
  } finally {
    for (const c of conns) {
      try {
        c.close();
      } catch { /* closed by the server */ }
    }
    if (!exited) {
      try {
        child.kill("SIGTERM");
      } catch { /* exited meanwhile */ }
    }
    await out.cancel();
  }
  const st = await status;
  const err = await stderr;
  assert.equal(st.code, 0, err);
  assert.doesNotMatch(err, /Too many open files \(os error 24\)"?\s*$|cryptorun: .*Too many open files/);
});

Deno.test("serve: every accept error but a closed listener is backed off and counted by kind, never fatal", () => {
  const errno = (code: string, message: string) => Object.assign(new Error(message), { code });
  assert.equal(acceptErrorKind(errno("EMFILE", "Too many open files (os error 24)")), "emfile");
  assert.equal(acceptErrorKind(new Error("Too many open files (os error 24)")), "emfile");
  assert.equal(acceptErrorKind(errno("ENFILE", "x")), "enfile");
  assert.equal(acceptErrorKind(errno("ECONNABORTED", "x")), "econnaborted");
  assert.equal(acceptErrorKind(new Deno.errors.ConnectionReset("x")), "aborted");
  // Anything nobody foresaw is "other" (a bounded label), not a reason to close the listener.
  assert.equal(acceptErrorKind(new Error("No such device or address (os error 6)")), "other");
  assert.equal(acceptErrorKind("a string"), "other");
});
