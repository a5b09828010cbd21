import assert from "node:assert/strict";
import { checkReplayFile, readReplayFile, recordLine } from "../../../src/providers/kraken/replay.ts";
import { InputError } from "../../../src/util/errors.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { FIX, readLines } from "./fixtures.ts";

const enc = new TextEncoder();

Deno.test("readReplayFile: each frame's `end` is the bytes read through its line (record wrapper, multi-byte text, CRLF, blank lines)", async () => {
  await using dir = await tempDir();
  const status = (detail: string) => JSON.stringify({ channel: "status", data: [{ system: detail }] });
  // The record wrapper is longer than its frame (escaped quotes); "é" and "€" take 2 and 3 bytes; one line
  // spans several read chunks; the file ends without a newline.
  const lines = [
    recordLine(status("online"), 1),
    "",
    recordLine(status("onlïne €"), 2) + "\r",
    status("x".repeat(200_000)),
    "   ",
    recordLine(status("last"), 3),
  ];
  const text = lines.join("\n");
  const file = dir.path + "/r.jsonl";
  await Deno.writeTextFile(file, text);
  const frames = [];
  for await (const f of readReplayFile(file)) frames.push(f);
  const endOf = (i: number) =>
    enc.encode(lines.slice(0, i + 1).join("\n")).length + (i < lines.length - 1 ? 1 : 0);
  assert.deepEqual(frames.map((f) => [f.line, f.end]), [[1, endOf(0)], [3, endOf(2)], [4, endOf(3)], [
    6,
    endOf(5),
  ]]);
  assert.equal(frames.at(-1)!.end, (await Deno.stat(file)).size);
  assert.equal(frames[1].text, status("onlïne €"));
  assert.equal(frames[1].recvMs, 2);
  assert.equal(frames[2].text.length, status("x".repeat(200_000)).length);
});

Deno.test("readReplayFile: a BOM is dropped at the start of the file only", async () => {
  await using dir = await tempDir();
  const file = dir.path + "/bom.jsonl";
  await Deno.writeTextFile(file, '\uFEFF{"event":"heartbeat"}\n\uFEFF{"event":"heartbeat"}\n');
  const texts = [];
  for await (const f of readReplayFile(file)) texts.push(f.text);
  assert.deepEqual(texts, ['{"event":"heartbeat"}', '\uFEFF{"event":"heartbeat"}']);
});

Deno.test("checkReplayFile: accepts the real recordings; the first bad line is an InputError naming file, line, field and value", async () => {
  assert.equal(await checkReplayFile(FIX + "book_v1_recorded.jsonl", new Map()), 4279);
  assert.equal(
    await checkReplayFile(FIX + "book_v2_docs_example.jsonl", new Map()),
    readLines("book_v2_docs_example.jsonl").length,
  );

  await using dir = await tempDir();
  const v2 = readLines("book_v2_docs_example.jsonl");
  const instrument = v2.findIndex((l) => l.startsWith('{"channel":"instrument"'));
  const book = v2.findIndex((l) => l.startsWith('{"channel":"book"'));
  const update = (price: number) =>
    JSON.stringify({
      channel: "book",
      type: "update",
      data: [{ symbol: "BTC/USD", bids: [{ price, qty: 1 }], asks: [], checksum: 1 }],
    });
  const cases: Array<[string[], RegExp]> = [
    // The precision must be known when the v2 book arrives: an instrument message later does not count.
    [[v2[book], v2[instrument]], /f\.jsonl:1: book\.symbol: no price\/qty precision known for "BTC\/USD"/],
    // A level the feed could not apply (0.0 at precision 1) — even an update the feed would discard.
    [[v2[instrument], update(0.01)], /f\.jsonl:2: book BTC\/USD: price: not a positive number: 0\.0/],
    [[v2[instrument], "", "{nope"], /f\.jsonl:3: frame: not JSON/],
    [
      ['{"event":"heartbeat"}', '[1,{"a":[["1.0","x","1"]],"c":"1"},"book-10","XBT/USD"]'],
      /f\.jsonl:2: book XBT\/USD a\.0\.1: expected decimal text, found "x"/,
    ],
    [['{"cryptorun_record":1,"recv_ms":-5,"frame":"{}"}'], /f\.jsonl:1: recv_ms: .*, found -5/],
  ];
  for (const [lines, re] of cases) {
    const file = dir.path + "/f.jsonl";
    await Deno.writeTextFile(file, lines.join("\n") + "\n");
    await assert.rejects(
      checkReplayFile(file, new Map()),
      (e) => e instanceof InputError && re.test(e.message),
      lines.join(" | "),
    );
  }
});

Deno.test("checkReplayFile: --asset-pairs precisions are used and never modified", async () => {
  const known = new Map([["BTC/USD", { price: 1, qty: 8 }]]);
  assert.equal(
    await checkReplayFile(FIX + "book_v2_docs_example_no_instrument.jsonl", known),
    readLines("book_v2_docs_example_no_instrument.jsonl").length,
  );
  const empty = new Map();
  await checkReplayFile(FIX + "book_v2_docs_example.jsonl", empty);
  assert.equal(empty.size, 0);
});
