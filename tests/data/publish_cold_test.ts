import assert from "node:assert/strict";
import { join } from "node:path";
import { type ColdReader, publishCold, rowEnvelope } from "../../src/data/publish_cold.ts";
import type { OhlcvRow } from "../../src/market/ohlcv.ts";
import type { TimeRange } from "../../src/util/time.ts";
import type { Envelope } from "../../src/stream/envelope.ts";
import { validate } from "../../src/stream/envelope.ts";
import type { Producer } from "../../src/stream/producer.ts";
import { tempDir } from "../helpers/tmp.ts";
import { InputError } from "../../src/util/errors.ts";

const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);

/** In-memory stand-in for ColdStore.read (src/data/cold/store.ts): inclusive range, PIT (never ts > to). */
function fakeCold(rows: OhlcvRow[]): ColdReader & { reads: TimeRange[] } {
  const reads: TimeRange[] = [];
  return {
    reads,
    async *read(_table, range) {
      reads.push(range);
      for (const r of rows) if (r.ts >= range.from && r.ts <= range.to) yield { ...r };
    },
  };
}

function rows(hours: number): OhlcvRow[] {
  const out: OhlcvRow[] = [];
  for (let h = 0; h < hours; h++) {
    for (const symbol of ["BTC/USD", "ETH/USD"]) {
      out.push({
        ts: T0 + h * HOUR,
        symbol,
        open: 1 + h,
        high: 2 + h,
        low: 0.5 + h,
        close: 1.5 + h,
        volume: 10 * h,
      });
    }
  }
  return out;
}

/** Records acknowledged sends; optionally fails the Nth send call (a broker/process crash). */
function recordingProducer(failOnCall?: number): Producer & { acked: Envelope[] } {
  let calls = 0;
  const acked: Envelope[] = [];
  return {
    acked,
    send(_topic, envs) {
      calls++;
      if (calls === failOnCall) return Promise.reject(new Error("simulated crash"));
      acked.push(...envs);
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
}

Deno.test("publishCold: one envelope per row, windows cover [from, to] exactly, nothing after to (PIT)", async () => {
  const data = rows(48);
  const cold = fakeCold(data);
  const prod = recordingProducer();
  const range = { from: T0, to: T0 + 24 * HOUR - 1 };
  const r = await publishCold({
    reader: cold,
    producer: prod,
    table: "ohlcv",
    range,
    topic: "t",
    windowMs: 6 * HOUR,
  });
  assert.equal(r.windows, 4);
  assert.equal(r.envelopes, 48);
  assert.deepEqual(cold.reads.map((w) => [w.from - T0, w.to - T0]), [
    [0, 6 * HOUR - 1],
    [6 * HOUR, 12 * HOUR - 1],
    [12 * HOUR, 18 * HOUR - 1],
    [18 * HOUR, 24 * HOUR - 1],
  ]);
  for (const e of prod.acked) {
    validate(e);
    assert.ok(Date.parse(e.ts) <= range.to, `no envelope after --to: ${e.ts}`);
    assert.equal(e.source, "cold:ohlcv");
  }
  const p = JSON.parse(prod.acked[3].payload);
  assert.deepEqual(p, { table: "ohlcv", ...data[3] });
});

Deno.test("publishCold: resumes after a simulated crash; nothing lost, nothing duplicated", async () => {
  await using dir = await tempDir();
  const checkpointPath = join(dir.path, "cp.json");
  const data = rows(24);
  const range = { from: T0, to: T0 + 24 * HOUR - 1 };
  const base = { table: "ohlcv", range, topic: "t", windowMs: 4 * HOUR, checkpointPath };
  // The 4th window's send fails: windows 1–3 were acknowledged and checkpointed.
  const first = recordingProducer(4);
  await assert.rejects(publishCold({ ...base, reader: fakeCold(data), producer: first }), /simulated crash/);
  const cp = JSON.parse(await Deno.readTextFile(checkpointPath));
  assert.equal(cp.windows_done, 3);
  assert.equal(cp.next_from, T0 + 12 * HOUR);
  const second = recordingProducer();
  const cold2 = fakeCold(data);
  const r = await publishCold({ ...base, reader: cold2, producer: second });
  assert.equal(r.resumed, true);
  assert.equal(r.skippedWindows, 3);
  assert.equal(cold2.reads[0].from, T0 + 12 * HOUR, "the resumed run starts at the first unfinished window");
  const all = [...first.acked, ...second.acked].map((e) => e.checksum);
  assert.equal(all.length, data.length, "no row sent twice");
  assert.deepEqual(new Set(all), new Set(data.map((d) => rowEnvelope(d, "cold:ohlcv", "ohlcv").checksum)));
  // Done: a third run publishes nothing.
  const third = recordingProducer();
  const r3 = await publishCold({ ...base, reader: fakeCold(data), producer: third });
  assert.equal(r3.windows, 0);
  assert.equal(third.acked.length, 0);
});

Deno.test("publishCold: crash between ack and checkpoint re-sends that window with identical checksums", async () => {
  await using dir = await tempDir();
  const checkpointPath = join(dir.path, "cp.json");
  const data = rows(12);
  const range = { from: T0, to: T0 + 12 * HOUR - 1 };
  const base = { table: "ohlcv", range, topic: "t", windowMs: 4 * HOUR, checkpointPath };
  // Run until the 3rd window's send fails, keeping the checkpoint as it was after window 1. Restoring it
  // afterwards is the state of a process that died after window 2 was acked but before its checkpoint.
  let afterFirst = "";
  const prod = recordingProducer(3);
  await assert.rejects(publishCold({
    ...base,
    reader: fakeCold(data),
    producer: prod,
    onWindow: (w) => {
      if (w.windowsDone === 1) afterFirst = Deno.readTextFileSync(checkpointPath);
    },
  }));
  await Deno.writeTextFile(checkpointPath, afterFirst);
  const again = recordingProducer();
  await publishCold({ ...base, reader: fakeCold(data), producer: again });
  const union = new Map<string, number>();
  for (const e of [...prod.acked, ...again.acked]) union.set(e.checksum, (union.get(e.checksum) ?? 0) + 1);
  assert.equal(union.size, data.length, "nothing lost");
  // Only window 2 (8 rows) went out twice, byte-identical: a checksum-keyed consumer keeps one of each.
  assert.equal([...union.values()].filter((n) => n === 2).length, 8);
  assert.ok([...union.values()].every((n) => n <= 2));
});

Deno.test("publishCold: a checkpoint from another run is refused, naming the field", async () => {
  await using dir = await tempDir();
  const checkpointPath = join(dir.path, "cp.json");
  const range = { from: T0, to: T0 + 4 * HOUR - 1 };
  await publishCold({
    reader: fakeCold(rows(4)),
    producer: recordingProducer(),
    table: "ohlcv",
    range,
    topic: "t",
    windowMs: HOUR,
    checkpointPath,
  });
  await assert.rejects(
    publishCold({
      reader: fakeCold(rows(4)),
      producer: recordingProducer(),
      table: "ohlcv",
      range,
      topic: "other",
      windowMs: HOUR,
      checkpointPath,
    }),
    (err: Error) => err instanceof InputError && /topic is "t" but this run has "other"/.test(err.message),
  );
  await Deno.writeTextFile(checkpointPath, "{broken");
  await assert.rejects(
    publishCold({
      reader: fakeCold(rows(4)),
      producer: recordingProducer(),
      table: "ohlcv",
      range,
      topic: "t",
      windowMs: HOUR,
      checkpointPath,
    }),
    /not JSON/,
  );
});

Deno.test("publishCold: a row missing a field or outside its window is an InputError naming it", async () => {
  const bad = fakeCold([{ ts: T0, symbol: "BTC/USD", open: 1, high: 2, low: 0, close: 1 } as OhlcvRow]);
  await assert.rejects(
    publishCold({
      reader: bad,
      producer: recordingProducer(),
      table: "ohlcv",
      range: { from: T0, to: T0 + HOUR },
      topic: "t",
      windowMs: HOUR,
    }),
    /volume: expected a finite number, found undefined/,
  );
  // NaN would serialise as JSON null: the bar would go out without its close, so it is refused.
  const nan = fakeCold([{ ts: T0, symbol: "BTC/USD", open: 1, high: 2, low: 0, close: NaN, volume: 1 }]);
  const prod = recordingProducer();
  await assert.rejects(
    publishCold({
      reader: nan,
      producer: prod,
      table: "ohlcv",
      range: { from: T0, to: T0 + HOUR },
      topic: "t",
      windowMs: HOUR,
    }),
    (err: Error) =>
      err instanceof InputError &&
      /BTC\/USD at 2024-01-01T00:00:00.000Z: close: .*found NaN/.test(err.message),
  );
  assert.equal(prod.acked.length, 0, "nothing of the bad window was sent");
  const leaky: ColdReader = {
    async *read() {
      yield { ts: T0 + 10 * HOUR, symbol: "BTC/USD", open: 1, high: 1, low: 1, close: 1, volume: 1 };
    },
  };
  await assert.rejects(
    publishCold({
      reader: leaky,
      producer: recordingProducer(),
      table: "ohlcv",
      range: { from: T0, to: T0 + HOUR },
      topic: "t",
      windowMs: HOUR,
    }),
    /returned a row at 2024-01-01T10:00:00.000Z/,
  );
});

Deno.test("publishCold with the real cold store: CLI publish → NDJSON that verifies, PIT-bounded", async () => {
  const { openColdStore } = await import("../../src/data/cold/store.ts");
  const { ColdSection } = await import("../../src/config/sections/cold.ts");
  const { runCliCaptured } = await import("../helpers/cli.ts");
  await using dir = await tempDir();
  const store = openColdStore(ColdSection.parse({}), dir.path);
  await store.write("ohlcv", rows(48));
  const sink = join(dir.path, "out.ndjson");
  const to = new Date(T0 + 24 * HOUR - 1).toISOString();
  const argv = [
    "--data-dir",
    dir.path,
    "stream",
    "publish",
    "--from",
    "2024-01-01",
    "--to",
    to,
    "--sink",
    sink,
  ];
  const r = await runCliCaptured(argv);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /published 48 envelopes in 1 windows/);
  const lines = (await Deno.readTextFile(sink)).trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(lines.length, 48);
  assert.ok(lines.every((l) => Date.parse(l.ts) <= Date.parse(to)), "nothing after --to");
  assert.equal((await runCliCaptured(["stream", "verify", "--input", sink])).code, 0);
  const again = await runCliCaptured(argv);
  assert.match(again.stdout, /published 0 envelopes .*resumed: 1 of 1 windows were already done/);
  // Another sink file with the same name in another directory is another destination: it gets everything,
  // not "already done" from the first sink's checkpoint.
  await Deno.mkdir(join(dir.path, "b"));
  const sinkB = join(dir.path, "b", "out.ndjson");
  const other = await runCliCaptured(argv.map((a) => a === sink ? sinkB : a));
  assert.equal(other.code, 0, other.stderr);
  assert.match(other.stdout, /published 48 envelopes in 1 windows/);
  assert.equal((await Deno.readTextFile(sinkB)).trim().split("\n").length, 48);
});
