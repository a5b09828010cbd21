import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { blake3 as wasmBlake3 } from "hash-wasm";
import { blake3 } from "@noble/hashes/blake3.js";
import {
  blake3Hex,
  checkEnvelope,
  checksumInput,
  checksumMatches,
  computeChecksum,
  decodeEnvelope,
  decodeValid,
  encodeEnvelope,
  type Envelope,
  EnvelopeError,
  formatTs,
  makeEnvelope,
  rawMemberText,
  validate,
} from "../../src/stream/envelope.ts";

const enc = new TextEncoder();

/** The checksum by a second, independent route: hash-wasm's BLAKE3 over bytes concatenated here. */
async function independentChecksum(
  payload: string,
  ts: string,
  symbol: string,
  source: string,
): Promise<string> {
  const parts = [payload, ts, symbol, source].map((p) => enc.encode(p));
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    all.set(p, off);
    off += p.length;
  }
  return await wasmBlake3(all, 256);
}

Deno.test("blake3: @noble/hashes and hash-wasm agree with the published empty-input vector", async () => {
  // BLAKE3 reference test vector (input length 0), from the BLAKE3 spec's test_vectors.json.
  const published = "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262";
  assert.equal(Buffer.from(blake3(new Uint8Array())).toString("hex"), published);
  assert.equal(await wasmBlake3(new Uint8Array(), 256), published);
});

Deno.test("envelope checksum vectors agree with an independent BLAKE3 implementation", async () => {
  const cases = [
    { ts: 0, symbol: "BTC/USD", source: "kraken", payload: { close: 1 } },
    {
      ts: Date.UTC(2024, 0, 2, 3, 4, 5, 678),
      symbol: "ETH/USD",
      source: "cold:ohlcv",
      payload: [1, 2.5, "x"],
    },
    { ts: new Date("2025-06-30T23:59:59.999Z"), symbol: "SOL/USD", source: "kraken", payload: '{"ü":"€😀"}' },
    // A payload well beyond one BLAKE3 chunk (1 KiB) exercises the tree mode.
    { ts: 1, symbol: "XBT/USD", source: "pipe", payload: { s: "a".repeat(5000) } },
  ];
  for (const c of cases) {
    const e = makeEnvelope(c);
    assert.equal(e.version, 1);
    assert.match(e.ts, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    assert.equal(e.checksum, await independentChecksum(e.payload, e.ts, e.symbol, e.source));
    assert.equal(computeChecksum(e), e.checksum);
  }
  const e = makeEnvelope(cases[1]);
  assert.equal(e.ts, "2024-01-02T03:04:05.678Z");
  assert.equal(e.payload, '[1,2.5,"x"]');
  // The hashed bytes are exactly payload || ts || symbol || source.
  assert.equal(
    new TextDecoder().decode(checksumInput(e)),
    '[1,2.5,"x"]2024-01-02T03:04:05.678ZETH/USDcold:ohlcv',
  );
});

Deno.test("payload bytes are kept exactly (key order, spacing, unicode), only line breaks go", () => {
  const raw = '{ "b" : 1,"a":[ 1.50 , 2e3 ],"u":"\\u00e9é" }';
  const e = makeEnvelope({ ts: 5, symbol: "BTC/USD", source: "kraken", payload: enc.encode(raw) });
  assert.equal(e.payload, raw);
  const pretty = makeEnvelope({ ts: 5, symbol: "BTC/USD", source: "kraken", payload: '{\n  "a": 1\r\n}' });
  assert.equal(pretty.payload, '{  "a": 1}');
  assert.throws(
    () => makeEnvelope({ ts: 5, symbol: "BTC/USD", source: "kraken", payload: "{nope" }),
    (err) => err instanceof EnvelopeError && err.kind === "bad_payload",
  );
  assert.throws(
    () => makeEnvelope({ ts: 5, symbol: "BTC/USD", source: "kraken", payload: new Uint8Array([0xff, 0xfe]) }),
    (err) => err instanceof EnvelopeError && err.kind === "bad_payload" && /UTF-8/.test(err.message),
  );
});

Deno.test("wire form: compact JSON line whose payload bytes are the hashed bytes; decode keeps them", () => {
  const raw = '{"z":1, "a" : "x,}]"}';
  const e = makeEnvelope({ ts: 1000, symbol: "BTC/USD", source: "kraken", payload: raw });
  const line = encodeEnvelope(e);
  assert.ok(!line.includes("\n"));
  assert.ok(line.includes(`"payload":${raw},`), line);
  const back = decodeEnvelope(line);
  assert.deepEqual(back, e);
  validate(back);
  // Another writer's field order and whitespace decode to the same payload text.
  const other = `{ "version" : 1, "checksum":"${e.checksum}", "payload" : ${raw} , "source":"kraken",` +
    `"symbol":"BTC/USD","ts":"${e.ts}"}`;
  assert.deepEqual(decodeEnvelope(other), e);
  assert.equal(rawMemberText('{"a":{"payload":1},"payload":[{"b":"}"}]}', "payload"), '[{"b":"}"}]');
});

function base(): Envelope {
  return makeEnvelope({
    ts: Date.UTC(2024, 4, 1),
    symbol: "BTC/USD",
    source: "kraken",
    payload: { close: 64000.5 },
  });
}

function kindOf(e: unknown): string | undefined {
  return checkEnvelope(e)?.kind;
}

Deno.test("every tampered field is detected, each with its own error kind", () => {
  assert.equal(kindOf(base()), undefined);
  const tamper: Array<[string, (e: Envelope) => unknown, string]> = [
    ["payload value", (e) => ({ ...e, payload: '{"close":64000.6}' }), "checksum_mismatch"],
    ["payload spacing", (e) => ({ ...e, payload: '{"close": 64000.5}' }), "checksum_mismatch"],
    ["ts", (e) => ({ ...e, ts: "2024-05-01T00:00:00.001Z" }), "checksum_mismatch"],
    ["symbol", (e) => ({ ...e, symbol: "ETH/USD" }), "checksum_mismatch"],
    ["source", (e) => ({ ...e, source: "krakem" }), "checksum_mismatch"],
    [
      "checksum",
      (e) => ({ ...e, checksum: e.checksum.replace(/^./, (c) => (c === "0" ? "1" : "0")) }),
      "checksum_mismatch",
    ],
    ["checksum format", (e) => ({ ...e, checksum: e.checksum.toUpperCase() }), "bad_checksum_format"],
    ["version", (e) => ({ ...e, version: 2 }), "unknown_version"],
    ["version type", (e) => ({ ...e, version: "1" }), "malformed"],
    ["missing field", (e) => ({ ...e, source: undefined }), "malformed"],
    ["extra field", (e) => ({ ...e, extra: 1 }), "malformed"],
    ["empty symbol", (e) => ({ ...e, symbol: "" }), "empty_field"],
    ["empty payload", (e) => ({ ...e, payload: "" }), "empty_field"],
    ["empty checksum", (e) => ({ ...e, checksum: "" }), "empty_field"],
    ["ts not UTC", (e) => ({ ...e, ts: "2024-05-01T02:00:00.000+02:00" }), "bad_ts"],
    ["ts impossible", (e) => ({ ...e, ts: "2024-02-30T00:00:00.000Z" }), "bad_ts"],
    ["symbol lower-case", (e) => ({ ...e, symbol: "btc/usd" }), "bad_symbol"],
    ["source upper-case", (e) => ({ ...e, source: "Kraken" }), "bad_source"],
    ["payload not JSON", (e) => ({ ...e, payload: "{close:1}" }), "bad_payload"],
  ];
  const kinds = new Set<string>();
  for (const [name, f, kind] of tamper) {
    assert.equal(kindOf(f(base())), kind, name);
    kinds.add(kind);
  }
  assert.equal(kinds.size, 9, "nine distinct kinds exercised");
});

Deno.test("bytes moved across a part boundary keep the hash but fail validation", () => {
  const e = makeEnvelope({ ts: 0, symbol: "BTC/USD1", source: "kraken", payload: 1 });
  // Same concatenated bytes, different split: symbol "BTC/USD" + source "1kraken".
  const shifted = { ...e, symbol: "BTC/USD", source: "1kraken" };
  assert.equal(computeChecksum(shifted), e.checksum);
  assert.equal(kindOf(shifted), "bad_source");
  const shifted2 = { ...e, symbol: "BTC/USD1k", source: "raken" };
  assert.equal(computeChecksum(shifted2), e.checksum);
  assert.equal(kindOf(shifted2), "bad_symbol");
});

Deno.test("decodeEnvelope: malformed lines are 'malformed' errors naming what is wrong", () => {
  for (const line of ["not json", "[1,2]", '{"ts":"x"}', "{}"]) {
    assert.throws(
      () => decodeEnvelope(line),
      (err) => err instanceof EnvelopeError && err.kind === "malformed",
    );
  }
  assert.throws(() => validate({}), (err) => err instanceof EnvelopeError && err.kind === "malformed");
});

Deno.test("hash-wasm checksums equal @noble/hashes on published vectors and real recorded messages", () => {
  // BLAKE3 test_vectors.json (key-less hash, first 32 bytes): input i is the bytes j % 251 for j < len.
  const vectors: [number, string][] = [
    [0, "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"],
    [1, "2d3adedff11b61f14c886e35afa036736dcd87a74d27b5c1510225d0f592e213"],
    [1023, "10108970eeda3eb932baac1428c7a2163b0e924c9a9e25b35bba72b28f70bd11"],
    [1024, "42214739f095a406f3fc83deb889744ac00df831c10daa55189b5d121c855af7"],
  ];
  for (const [len, hex] of vectors) {
    const input = Uint8Array.from({ length: len }, (_, i) => i % 251);
    assert.equal(Buffer.from(blake3(input)).toString("hex"), hex, `@noble/hashes, ${len} bytes`);
    assert.equal(blake3Hex(input), hex, `hash-wasm, ${len} bytes`);
  }
  // Real recorded Kraken messages (fixtures/kraken) as payloads: every envelope hashed both ways.
  const lines = Deno.readTextFileSync(
    new URL("../../fixtures/kraken/book_v1_recorded.jsonl", import.meta.url),
  )
    .split("\n").filter((l) => l !== "");
  assert.ok(lines.length > 4000, `${lines.length} recorded messages`);
  for (const [i, line] of lines.entries()) {
    const e = makeEnvelope({ ts: 1618678123481 + i, symbol: "XBT/USD", source: "kraken", payload: line });
    assert.equal(e.checksum, Buffer.from(blake3(checksumInput(e))).toString("hex"), line);
  }
});

Deno.test("formatTs prints exactly what Date.prototype.toISOString prints, day cache or not", () => {
  let seed = 7;
  const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const min = Date.parse("0000-01-01T00:00:00.000Z");
  const max = Date.parse("9999-12-31T23:59:59.999Z");
  const times = [
    min,
    max,
    0,
    -1,
    1,
    86_399_999,
    86_400_000,
    -86_400_000,
    Date.UTC(2024, 1, 29, 23, 59, 59, 999),
  ];
  for (let i = 0; i < 20_000; i++) {
    const base = i % 2 ? times[i % times.length] : min + Math.floor(rand() * (max - min));
    times.push(base, base + Math.floor(rand() * 86_400_000), base + 1.5, base - 0.25);
  }
  for (const t of times) {
    if (Math.trunc(t) < min || Math.trunc(t) > max) continue;
    assert.equal(formatTs(t), new Date(t).toISOString(), String(t));
  }
  assert.equal(formatTs(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678))), "2024-01-02T03:04:05.678Z");
  for (const bad of [min - 1, max + 1, 1e16, NaN, Infinity]) {
    assert.throws(() => formatTs(bad), (err) => err instanceof Error && /envelope ts/.test(err.message));
  }
});

Deno.test("decodeValid equals validate(decodeEnvelope(line)) on canonical, foreign and tampered lines", () => {
  const e = base();
  const good = encodeEnvelope(e);
  const { checksum, ts } = e;
  const lines = [
    good,
    // Foreign but valid: other field order and spacing (the general route).
    `{ "version":1,"checksum":"${checksum}","payload" : {"close":64000.5},"source":"kraken","symbol":"BTC/USD",` +
    `"ts":"${ts}" }`,
    good.replace('"close":64000.5', '"close":64000.6'),
    good.replace('{"close":64000.5}', ' {"close":64000.5}'),
    good.replace('{"close":64000.5}', '{"close":64000.5}\u00a0'),
    good.replace('{"close":64000.5}', '{"close":64000.5}\n'),
    good.replace('{"close":64000.5}', '{"close":64000.5},"payload":{"close":64000.5}'),
    good.replace('{"close":64000.5}', '1,"x":2'),
    good.replace('{"close":64000.5}', "{close:1}"),
    good.replace('{"close":64000.5}', ""),
    good.replace(ts, "2024-13-01T00:00:00.000Z"),
    good.replace(ts, "2024-02-30T00:00:00.000Z"),
    good.replace(ts, "2024-05-01T24:00:00.000Z"),
    good.replace("BTC/USD", "btc/usd"),
    good.replace("BTC/USD", 'BTC\\"USD'),
    good.replace('"kraken"', '"Kraken"'),
    good.replace(checksum, checksum.toUpperCase()),
    good.replace(checksum, checksum.replace(/^./, (c) => (c === "0" ? "1" : "0"))),
    good.replace('"version":1}', '"version":2}'),
    good.replace('"version":1}', '"version":1,"x":1}'),
    good + " ",
    good.slice(0, -1),
    "not json",
    "{}",
  ];
  for (const line of lines) {
    let want: unknown, got: unknown;
    try {
      want = validate(decodeEnvelope(line));
    } catch (err) {
      want = err instanceof EnvelopeError ? `${err.kind}/${err.field}/${err.message}` : err;
    }
    try {
      got = decodeValid(line);
    } catch (err) {
      got = err instanceof EnvelopeError ? `${err.kind}/${err.field}/${err.message}` : err;
    }
    assert.deepEqual(got, want, line);
  }
  assert.deepEqual(decodeValid(good), e);
  // ts with a month 13 is bad_ts (it used to escape as a RangeError from toISOString).
  assert.equal(kindOf({ ...e, ts: "2024-13-01T00:00:00.000Z" }), "bad_ts");
});

Deno.test("checksumMatches agrees with comparing computeChecksum's hex, for the right sum and near misses", () => {
  const e = base();
  assert.equal(checksumMatches(e, e.checksum), true);
  for (let i = 0; i < 64; i++) {
    const c = e.checksum[i];
    const other = e.checksum.slice(0, i) +
      (c === "f" ? "e" : c === "9" ? "a" : String.fromCharCode(c.charCodeAt(0) + 1)) +
      e.checksum.slice(i + 1);
    assert.equal(checksumMatches(e, other), false, `digit ${i} changed`);
  }
  assert.equal(checksumMatches({ ...e, payload: '{"close":1}' }, e.checksum), false);
  // Not 64 lower-case hex digits: false even where a lenient nibble table would decode the same bytes.
  assert.equal(checksumMatches(e, e.checksum.toUpperCase()), /[a-f]/.test(e.checksum) ? false : true);
  assert.equal(checksumMatches(e, e.checksum.slice(0, 63)), false);
  assert.equal(checksumMatches(e, e.checksum + "0"), false);
  const zero = e.checksum.indexOf("0");
  assert.ok(zero >= 0, "the fixture's checksum has a 0 digit");
  for (const bad of ["g", "G", " ", "\u0000", "\u00e0", "\u0660"]) {
    const other = e.checksum.slice(0, zero) + bad + e.checksum.slice(zero + 1);
    assert.equal(checksumMatches(e, other), false, `${JSON.stringify(bad)} for a 0 digit`);
    const line = encodeEnvelope({ ...e, checksum: other });
    assert.throws(
      () => decodeValid(line),
      (err: Error) => err instanceof EnvelopeError && err.kind === "bad_checksum_format",
    );
  }
});

Deno.test("decodeValid agrees with validate(decodeEnvelope) on random RFC 3339-shaped times, real or not", () => {
  let seed = 21;
  const rand = (n: number) => (seed = (seed * 16807) % 2147483647) % n;
  const pad = (x: number, w: number) => String(x).padStart(w, "0");
  let valid = 0;
  for (let i = 0; i < 3000; i++) {
    // Fields drawn a little past their ranges: month 00–13, day 00–32, hour 00–25, minute and second 00–61.
    const ts = `${pad(rand(10000), 4)}-${pad(rand(14), 2)}-${pad(rand(33), 2)}T${pad(rand(26), 2)}:${
      pad(rand(62), 2)
    }:${pad(rand(62), 2)}.${pad(rand(1000), 3)}Z`;
    const e = { ts, symbol: "BTC/USD", source: "kraken", payload: "{}", checksum: "", version: 1 };
    e.checksum = computeChecksum(e);
    const line = encodeEnvelope(e);
    let want: unknown, got: unknown;
    try {
      want = validate(decodeEnvelope(line));
    } catch (err) {
      want = (err as Error).message;
    }
    try {
      got = decodeValid(line);
    } catch (err) {
      got = (err as Error).message;
    }
    assert.deepEqual(got, want, ts);
    if (typeof got === "object") valid++;
  }
  assert.ok(valid > 100 && valid < 2900, `${valid} of 3000 real times: both outcomes exercised`);
});
