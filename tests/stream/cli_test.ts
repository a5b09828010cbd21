import assert from "node:assert/strict";
import { join } from "node:path";
import { runCliCaptured } from "../helpers/cli.ts";
import { tempDir } from "../helpers/tmp.ts";
import { encodeEnvelope, makeEnvelope } from "../../src/stream/envelope.ts";

async function writeEnvelopes(path: string, n: number, corruptLine?: number): Promise<void> {
  const lines = Array.from({ length: n }, (_, i) => {
    const e = makeEnvelope({
      ts: Date.UTC(2024, 0, 1) + i * 60_000,
      symbol: "BTC/USD",
      source: "kraken",
      payload: { i },
    });
    return encodeEnvelope(i + 1 === corruptLine ? { ...e, symbol: "ETH/USD" } : e);
  });
  await Deno.writeTextFile(path, lines.join("\n") + "\n");
}

Deno.test("stream verify: counts valid and invalid with reasons and line numbers; exit 1 on any invalid", async () => {
  await using dir = await tempDir();
  const good = join(dir.path, "good.ndjson");
  await writeEnvelopes(good, 50);
  const ok = await runCliCaptured(["stream", "verify", "--input", good]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /50 envelopes, 50 valid, 0 invalid/);
  const bad = join(dir.path, "bad.ndjson");
  await writeEnvelopes(bad, 50, 7);
  await Deno.writeTextFile(bad, "not json\n", { append: true });
  const r = await runCliCaptured(["stream", "verify", "--input", bad, "--json"]);
  assert.equal(r.code, 1);
  const rep = JSON.parse(r.stdout);
  assert.equal(rep.valid, 49);
  assert.equal(rep.invalid, 2);
  assert.deepEqual(rep.reasons, { checksum_mismatch: 1, malformed: 1 });
  assert.deepEqual(rep.failures.map((f: { line: number }) => f.line), [7, 51]);
});

Deno.test("stream consume --sink: DLQ for the invalid one, --out idempotent across re-runs", async () => {
  await using dir = await tempDir();
  const sink = join(dir.path, "bus.ndjson");
  const out = join(dir.path, "out.ndjson");
  await writeEnvelopes(sink, 100, 10);
  const args = [
    "--data-dir",
    dir.path,
    "stream",
    "consume",
    "--sink",
    sink,
    "--out",
    out,
    "--idle",
    "200ms",
    "--json",
  ];
  const r = await runCliCaptured(args);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.equal(s.delivered, 100);
  assert.equal(s.handled, 99);
  assert.equal(s.dlq, 1);
  const dlq = (await Deno.readTextFile(join(dir.path, "bus.dlq.ndjson"))).trim().split("\n");
  assert.equal(dlq.length, 1);
  assert.equal(JSON.parse(dlq[0]).payload.kind, "checksum_mismatch");
  // The output verifies clean.
  assert.equal((await runCliCaptured(["stream", "verify", "--input", out])).code, 0);
  // The same messages appended again (a re-publish) and consumed by a fresh group: nothing written twice.
  await writeEnvelopes(join(dir.path, "again.ndjson"), 100);
  await Deno.writeTextFile(sink, await Deno.readTextFile(join(dir.path, "again.ndjson")), { append: true });
  const r2 = await runCliCaptured(args);
  const s2 = JSON.parse(r2.stdout);
  assert.equal(s2.delivered, 100, "the committed offset skips what was already acked");
  assert.equal(s2.handled, 1, "only the envelope that was corrupted the first time is new");
  assert.equal(s2.duplicates, 99);
  assert.equal((await Deno.readTextFile(out)).trim().split("\n").length, 100);
});

Deno.test("stream consume --out: a cut-off last line (crash mid-write) is removed, not glued to the next", async () => {
  await using dir = await tempDir();
  const sink = join(dir.path, "bus.ndjson");
  const out = join(dir.path, "out.ndjson");
  await writeEnvelopes(sink, 10);
  const lines = (await Deno.readTextFile(sink)).split("\n");
  // The state after a crash inside a write to --out: 3 whole lines and half of the 4th; nothing was acked.
  await Deno.writeTextFile(out, lines.slice(0, 3).join("\n") + "\n" + lines[3].slice(0, 40));
  const r = await runCliCaptured([
    "--data-dir",
    dir.path,
    "stream",
    "consume",
    "--sink",
    sink,
    "--out",
    out,
    "--idle",
    "200ms",
    "--json",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.equal(s.delivered, 10);
  assert.equal(s.duplicates, 3, "the 3 whole lines already in --out are not written again");
  assert.equal(s.handled, 7);
  assert.match(r.stderr, /cut-off line/);
  const v = await runCliCaptured(["stream", "verify", "--input", out, "--json"]);
  assert.equal(v.code, 0, v.stdout);
  const rep = JSON.parse(v.stdout);
  assert.equal(rep.valid, 10);
  assert.equal(rep.duplicates, 0);
});

Deno.test("stream: bad flags and actions are usage errors (exit 2) naming the flag and value", async () => {
  const cases: Array<[string[], RegExp]> = [
    [["stream"], /missing action/],
    [["stream", "replay"], /unknown action "replay"/],
    [["stream", "publish", "--to", "2024-01-02"], /--from is required/],
    [["stream", "publish", "--from", "2024-01-03", "--to", "2024-01-02"], /--from 2024-01-03 is after --to/],
    [["stream", "publish", "--from", "x", "--to", "2024-01-02"], /--from: expected ISO-8601/],
    [
      ["stream", "consume", "--kind", "nats"],
      /--kind: expected one of file\|redis\|kafka\|pulsar, found "nats"/,
    ],
    [["stream", "consume", "--kind", "redis", "--sink", "x.ndjson"], /--sink is for the file kind only/],
    [["stream", "consume", "--max", "0"], /--max: expected a positive integer, found "0"/],
    // Beyond 2^53 a count silently rounds (99999999999999999999 → 100000000000000000000): refused.
    [
      ["stream", "consume", "--max", "99999999999999999999"],
      /--max: expected a positive integer at most 9007199254740991, found "99999999999999999999"/,
    ],
    [["stream", "consume", "--batch", "100001"], /--batch: .* at most 100000, found "100001"/],
    [["stream", "consume", "--batch", "1e3"], /--batch: expected a positive integer, found "1e3"/],
    [
      ["stream", "verify", "--input", "a", "--max-failures", "99999999999999999999"],
      /--max-failures: expected a positive integer at most 1000000, found "99999999999999999999"/,
    ],
    [["stream", "consume", "--out", ""], /--out: expected a value, found ""/],
    [["stream", "verify"], /--input FILE.ndjson is required/],
    [["stream", "verify", "--input", "a", "--topic", "t"], /--topic does not apply to stream verify/],
    [["stream", "consume", "--topic", "a b"], /--topic: expected letters/],
    [["stream", "consume", "--group", "a/b"], /--group: expected letters, digits.*found "a\/b"/],
    [
      ["stream", "publish", "--from", "2024-01-01", "--to", "2024-01-02", "--symbols", "BTC/USD,eth/eur"],
      /--symbols: expected USD pairs like BTC\/USD, found "eth\/eur"/,
    ],
    [
      ["stream", "publish", "--from", "2024-01-01", "--to", "2024-01-02", "--window", "0s"],
      /--window: must be positive, found "0s"/,
    ],
  ];
  for (const [argv, re] of cases) {
    const r = await runCliCaptured(argv);
    assert.equal(r.code, 2, `${argv.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, re, argv.join(" "));
  }
  const off = await runCliCaptured(["stream", "consume"], { CRYPTORUN_STREAM_ENABLED: "false" });
  assert.equal(off.code, 2);
  assert.match(off.stderr, /stream.enabled is false/);
  const missing = await runCliCaptured(["stream", "verify", "--input", "/nonexistent/x.ndjson"]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no such file/);
  const help = await runCliCaptured(["stream", "--help"]);
  assert.match(help.stdout, /Usage: cryptorun stream publish/);
  assert.match(help.stdout, /Examples:/);
});
