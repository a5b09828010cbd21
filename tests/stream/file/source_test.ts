/**
 * File backend consumer side: a line that is not valid UTF-8 is a `malformed` DLQ record whose exact bytes
 * survive (raw_base64), not a `checksum_mismatch` over a silently altered text.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { StreamSection } from "../../../src/config/sections/stream.ts";
import { consume, type DlqRecord } from "../../../src/stream/consumer.ts";
import {
  decodeEnvelope,
  encodeEnvelope,
  type Envelope,
  makeEnvelope,
  validate,
} from "../../../src/stream/envelope.ts";
import { topicFile } from "../../../src/stream/file/paths.ts";
import { newProducer } from "../../../src/stream/producer.ts";
import { openSource } from "../../../src/stream/source.ts";
import { tempDir } from "../../helpers/tmp.ts";

const enc = new TextEncoder();

function envelope(i: number, note: string): Envelope {
  return makeEnvelope({
    ts: Date.UTC(2024, 0, 1) + i * 60_000,
    symbol: "BTC/USD",
    source: "test",
    payload: { i, note },
  });
}

Deno.test("file source: a line that is not valid UTF-8 goes to the DLQ as malformed with its exact bytes", async () => {
  await using dir = await tempDir();
  const cfg = StreamSection.parse({ kind: "file" });
  const topic = "bus";
  const good = [envelope(0, "a"), envelope(2, "c")];
  // A well-formed envelope whose payload text holds "é" as Latin-1 (0xE9, invalid UTF-8 here) plus a 0xFF
  // byte (never valid in UTF-8): a lossy decoder turns each into U+FFFD.
  const text = encodeEnvelope(envelope(1, "cafX"));
  const at = text.indexOf("cafX") + 3;
  const bad = Buffer.concat([
    enc.encode(text.slice(0, at)),
    Uint8Array.of(0xe9, 0xff),
    enc.encode(text.slice(at + 1)),
  ]);
  const file = topicFile(cfg, dir.path, topic);
  await Deno.mkdir(`${dir.path}/stream`, { recursive: true });
  await Deno.writeFile(
    file,
    Buffer.concat([
      enc.encode(encodeEnvelope(good[0]) + "\n"),
      bad,
      enc.encode("\n" + encodeEnvelope(good[1]) + "\n"),
    ]),
  );

  const source = await openSource(cfg, dir.path, {}, { topic, group: "g", consumer: "c" });
  const dlq = await newProducer(cfg, dir.path, {});
  const got: Envelope[] = [];
  const stats = await consume({
    source,
    dlq,
    topic,
    kind: "file",
    maxMessages: 3,
    handle: (es) => {
      got.push(...es);
      return Promise.resolve();
    },
  });
  await source.close();
  await dlq.close();

  assert.deepEqual(got.map((e) => e.checksum), good.map((e) => e.checksum));
  assert.equal(stats.dlq, 1);
  assert.deepEqual(stats.reasons, { malformed: 1 });
  const lines = (await Deno.readTextFile(topicFile(cfg, dir.path, `${topic}.dlq`))).trim().split("\n");
  assert.equal(lines.length, 1);
  const rec = JSON.parse(validate(decodeEnvelope(lines[0])).payload) as DlqRecord;
  assert.equal(rec.kind, "malformed");
  assert.equal(rec.field, "(envelope)");
  assert.match(rec.reason, /not valid UTF-8/);
  assert.equal(
    rec.id,
    String(enc.encode(encodeEnvelope(good[0]) + "\n").length),
    "id = the line's byte offset",
  );
  assert.deepEqual(
    new Uint8Array(Buffer.from(rec.raw_base64!, "base64")),
    new Uint8Array(bad),
    "exact bytes kept",
  );
  assert.ok(rec.raw.includes("caf\uFFFD\uFFFD"), "raw is the lossy text, for reading");

  // Everything was acked: the committed offset is the end of the file.
  const state = JSON.parse(await Deno.readTextFile(`${dir.path}/stream/${topic}.offsets/g.json`));
  assert.equal(state.offset, (await Deno.stat(file)).size);
});

Deno.test("file source: a valid UTF-8 line that fails validation keeps raw text only (no raw_base64)", async () => {
  await using dir = await tempDir();
  const cfg = StreamSection.parse({ kind: "file" });
  const e = envelope(0, "café");
  const tampered = encodeEnvelope({ ...e, payload: e.payload.replace("café", "cafe") });
  const file = topicFile(cfg, dir.path, "bus");
  await Deno.mkdir(`${dir.path}/stream`, { recursive: true });
  await Deno.writeTextFile(file, tampered + "\n");
  const source = await openSource(cfg, dir.path, {}, { topic: "bus", group: "g", consumer: "c" });
  const dlq = await newProducer(cfg, dir.path, {});
  const stats = await consume({
    source,
    dlq,
    topic: "bus",
    kind: "file",
    maxMessages: 1,
    handle: () => Promise.resolve(),
  });
  await source.close();
  await dlq.close();
  assert.deepEqual(stats.reasons, { checksum_mismatch: 1 });
  const line = (await Deno.readTextFile(topicFile(cfg, dir.path, "bus.dlq"))).trim();
  const rec = JSON.parse(validate(decodeEnvelope(line)).payload) as DlqRecord;
  assert.equal(rec.raw, tampered);
  assert.equal(rec.raw_base64, undefined);
});
