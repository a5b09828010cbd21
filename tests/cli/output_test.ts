// The CLI's buffered line writer (src/cli/output.ts): few system calls, nothing lost, quiet on a closed pipe.
import assert from "node:assert/strict";
import { join } from "node:path";
import { createLineWriter, type SyncSink } from "../../src/cli/output.ts";
import { CLI_PERMISSIONS, runCliCaptured } from "../helpers/cli.ts";
import { tempDir } from "../helpers/tmp.ts";
import { syntheticBars } from "../data/cold/synthetic.ts";

/** A sink that records every write (and can start failing like a closed pipe). */
function recordingSink(opts: { failAfter?: number } = {}) {
  const writes: string[] = [];
  const sink: SyncSink = {
    writeSync(p) {
      if (opts.failAfter !== undefined && writes.length >= opts.failAfter) {
        throw new Deno.errors.BrokenPipe("Broken pipe (os error 32)");
      }
      writes.push(new TextDecoder().decode(p));
      return p.length;
    },
  };
  return { sink, writes };
}

Deno.test("line writer: one write per threshold, not per line; flush writes the tail", () => {
  const { sink, writes } = recordingSink();
  const w = createLineWriter(sink, { lineBuffered: false, thresholdChars: 1000, flushWhenIdle: false });
  for (let i = 0; i < 1000; i++) w.line(`row ${String(i).padStart(5, "0")}`); // 10 chars + newline each
  assert.ok(writes.length >= 10 && writes.length <= 12, `${writes.length} writes for 1000 lines`);
  w.flush();
  const all = writes.join("");
  assert.equal(all.split("\n").length - 1, 1000);
  assert.ok(all.endsWith("row 00999\n"));
  w.flush(); // nothing queued: no empty write
  assert.equal(writes.join(""), all);
});

Deno.test("line writer: texts of every size and script come out exactly, the reused buffer never leaking", () => {
  const { sink, writes } = recordingSink();
  const w = createLineWriter(sink, { lineBuffered: true, flushWhenIdle: false });
  const lines = [
    "x".repeat(5000),
    "é€😀 ünïcödé",
    "",
    "a,b",
    "z".repeat((1 << 20) + 5),
    "\ud800 lone",
    "short",
  ];
  for (const l of lines) w.line(l);
  w.flush();
  assert.deepEqual(writes, lines.map((l) => new TextDecoder().decode(new TextEncoder().encode(l + "\n"))));
});

Deno.test("line writer: a terminal gets every line at once; beforeWrite runs first (stderr flushes stdout)", () => {
  const { sink, writes } = recordingSink();
  const order: string[] = [];
  const w = createLineWriter(sink, {
    lineBuffered: true,
    flushWhenIdle: false,
    beforeWrite: () => order.push("before"),
  });
  w.line("a");
  w.line("b");
  assert.deepEqual(writes, ["a\n", "b\n"]);
  assert.deepEqual(order, ["before", "before"]);
});

Deno.test("line writer: a closed pipe calls onBrokenPipe once and drops the rest, other errors propagate", () => {
  const { sink, writes } = recordingSink({ failAfter: 1 });
  let broken = 0;
  const w = createLineWriter(sink, {
    lineBuffered: true,
    flushWhenIdle: false,
    onBrokenPipe: () => broken++,
  });
  w.line("first");
  w.line("second");
  w.line("third");
  w.flush();
  assert.deepEqual(writes, ["first\n"]);
  assert.equal(broken, 1);

  const failing = createLineWriter({
    writeSync() {
      throw new Deno.errors.PermissionDenied("no");
    },
  }, { lineBuffered: true, flushWhenIdle: false });
  assert.throws(() => failing.line("x"), Deno.errors.PermissionDenied);
});

Deno.test("line writer: a queued line is written once the program waits (long-running commands)", async () => {
  const { sink, writes } = recordingSink();
  const w = createLineWriter(sink, { lineBuffered: false });
  w.line("listening on http://127.0.0.1:1");
  assert.deepEqual(writes, []);
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(writes, ["listening on http://127.0.0.1:1\n"]);
});

/** A cold tier of 20 symbols × 1-minute bars for one day (28,800 rows), written through the CLI. */
async function coldDay(dir: string): Promise<string[]> {
  const start = Date.parse("2024-05-01T00:00:00Z");
  const rows = syntheticBars({
    start,
    end: start + 86_400_000,
    stepMs: 60_000,
    symbols: Array.from({ length: 20 }, (_, i) => `S${i}/USD`),
  });
  const csv = join(dir, "in.csv");
  await Deno.writeTextFile(
    csv,
    "ts_ms,symbol,open,high,low,close,volume\n" +
      rows.map((r) => `${r.ts},${r.symbol},${r.open},${r.high},${r.low},${r.close},${r.volume}`).join("\n") +
      "\n",
  );
  const w = await runCliCaptured(["--data-dir", dir, "cold", "write", "--input", csv]);
  assert.equal(w.code, 0, w.stderr);
  return ["--data-dir", dir, "cold", "dump", "--from", "2024-05-01", "--to", "2024-05-01T23:59:59.999Z"];
}

const ROOT = new URL("../../", import.meta.url).pathname;
const sh = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

async function bash(script: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command("bash", {
    args: ["-c", script],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("real process: a full dump to a file has every line; `| head -1` exits 0 quietly", async () => {
  await using dir = await tempDir();
  const argv = await coldDay(dir.path);
  const expected = await runCliCaptured(argv);
  assert.equal(expected.code, 0, expected.stderr);
  assert.equal(expected.stdout.split("\n").length, 28_801, "header + 28,800 rows");

  const cli = [Deno.execPath(), "run", ...CLI_PERMISSIONS, `${ROOT}main.ts`, ...argv].map(sh).join(" ");
  const file = join(dir.path, "dump.csv");
  const full = await bash(`${cli} > ${sh(file)}`);
  assert.equal(full.code, 0, full.stderr);
  assert.equal(await Deno.readTextFile(file), expected.stdout + "\n", "every line, the tail included");

  const head = await bash(`set -o pipefail; ${cli} | head -1`);
  assert.equal(head.code, 0, `exit ${head.code}: ${head.stderr}`);
  assert.equal(head.stdout, "ts,symbol,open,high,low,close,volume\n");
  assert.ok(!/error|broken pipe/i.test(head.stderr), `stderr: ${head.stderr}`);
});
