// The manifest seals itself (BLAKE3 over its bytes with the checksum zeroed) and is validated with zod before
// it is sealed; a read verifies the seal, format and version, `{ validate: true }` (cold verify, replicate)
// the whole schema: a damaged or malformed manifest is an error naming the file and what is wrong — never an
// empty table.
import assert from "node:assert/strict";
import { decodeManifest, encodeManifest, type ManifestBody } from "../../../src/data/cold/manifest.ts";
import { Buffer } from "node:buffer";
import { blake3Hex, digestBytes } from "../../../src/data/cold/checksum.ts";

async function body(): Promise<ManifestBody> {
  const d = await digestBytes(new TextEncoder().encode("x".repeat(70_000)));
  return {
    format: "cryptorun-cold-manifest",
    format_version: 1,
    table: "ohlcv",
    version: 3,
    parent: 2,
    operation: "write",
    committed_at: "2026-12-04T00:00:00.000Z",
    committed_by: { pid: 1, host: "h", command: "test" },
    added: ["dt=2025-01-01/part-00001.parquet"],
    removed: [],
    part_seq: { "2025-01-01": 2 },
    files: [{
      dt: "2025-01-01",
      name: "part-00001.parquet",
      format: "parquet",
      codec: "zstd",
      size: d.size,
      rows: 10,
      min_ts: 1735689600000,
      max_ts: 1735689600000,
      row_groups: 1,
      blake3: d.blake3,
      block_size: d.blockSize,
      blocks: d.blocks,
    }],
  };
}

Deno.test("manifest: round trip; the checksum covers every byte; two 64 KiB blocks hashed", async () => {
  const b = await body();
  assert.equal(Buffer.from(b.files[0].blocks, "base64").length, 16, "two blocks of 8-byte xxHash64");
  const bytes = await encodeManifest(b);
  assert.match(
    new TextDecoder().decode(bytes.subarray(0, 100)),
    /^\{"checksum":"blake3:[0-9a-f]{64}","format"/,
  );
  const m = await decodeManifest(bytes, "/t/_manifest.json");
  assert.deepEqual({ ...m, checksum: undefined }, { ...b, checksum: undefined });
  for (const at of [0, 25, 100, bytes.length - 1]) {
    const bad = bytes.slice();
    bad[at] ^= 0x04;
    await assert.rejects(
      decodeManifest(bad, "/t/_manifest.json"),
      /^InputError: \/t\/_manifest\.json: the table manifest is damaged/,
    );
  }
});

/** Seals `m` as the writer would, but without the schema check: a manifest edited by hand and sealed again. */
async function sealByHand(m: object): Promise<Uint8Array> {
  const zeros = "0".repeat(64);
  const bytes = new TextEncoder().encode(JSON.stringify({ checksum: `blake3:${zeros}`, ...m }));
  const prefix = '{"checksum":"blake3:'.length;
  bytes.set(new TextEncoder().encode(await blake3Hex(bytes)), prefix);
  return bytes;
}

const INVALID: Array<[string, (b: ManifestBody) => void, RegExp]> = [
  ["bad part name", (b) => (b.files[0].name = "part-1.parquet"), /files\.0\.name: expected part-NNNNN/],
  [
    "part_seq",
    (b) => (b.part_seq["2025-01-01"] = 1),
    /part_seq: dt=2025-01-01\/part-00001\.parquet: part number not below part_seq/,
  ],
  [
    "added",
    (b) => (b.added = ["dt=2025-01-02/part-00000.parquet"]),
    /added dt=2025-01-02\/part-00000\.parquet is not in files/,
  ],
  ["twice", (b) => b.files.push({ ...b.files[0] }), /listed twice/],
  ["version", (b) => ((b as unknown as Record<string, unknown>).version = 0), /version: /],
];

Deno.test("manifest: the writer refuses to seal a body that breaks the schema or its invariants, naming the field", async () => {
  for (const [what, mutate, re] of INVALID) {
    const b = await body();
    mutate(b);
    await assert.rejects(encodeManifest(b), (e: Error) => {
      assert.match(e.message, /^refusing to seal an invalid table manifest: /, what);
      assert.match(e.message, re, what);
      return true;
    });
  }
});

Deno.test("manifest: one sealed by hand that breaks the schema fails a full validation (verify, replicate), naming the field", async () => {
  for (const [what, mutate, re] of INVALID) {
    const b = await body();
    mutate(b);
    const bytes = await sealByHand(b);
    await assert.rejects(decodeManifest(bytes, "/t/m.json", { validate: true }), (e: Error) => {
      assert.match(e.message, /^\/t\/m\.json: the table manifest is damaged/, what);
      assert.match(e.message, re, what);
      return true;
    });
    // A read checks the seal, format, version and each field it relies on; the cross-field invariants are
    // the writer's (it validated what it sealed) and verify's.
    const read = decodeManifest(bytes, "/t/m.json");
    if (["part_seq", "added", "twice"].includes(what)) assert.equal((await read).table, "ohlcv", what);
    else await assert.rejects(read, re, what);
  }
});

Deno.test("manifest: a read refuses, even when sealed, another format, version or a file entry it cannot use — as the schema does", async () => {
  const file = (patch: Record<string, unknown> | null) => async () => {
    const b = await body();
    return { ...b, files: [patch === null ? null : { ...b.files[0], ...patch }] };
  };
  const whole = (patch: Record<string, unknown>) => async () => ({ ...(await body()), ...patch });
  const cases: Array<[() => Promise<object>, RegExp]> = [
    [whole({ format: "delta" }), /format: expected cryptorun-cold-manifest, found "delta"/],
    [whole({ format_version: 2 }), /format_version: expected 1, found 2/],
    [whole({ files: {} }), /files: expected an array/],
    [whole({ table: "" }), /table: expected a table name/],
    [whole({ version: "3" }), /version: expected a positive integer, found "3"/],
    [file(null), /files\.0: expected an object/],
    [file({ dt: "2020-1-1" }), /files\.0\.dt: expected YYYY-MM-DD, found "2020-1-1"/],
    [file({ dt: "../../etc" }), /files\.0\.dt: expected YYYY-MM-DD/],
    [file({ name: "../part-00001.parquet" }), /files\.0\.name: expected part-NNNNN/],
    [file({ format: "orc" }), /files\.0\.format: expected parquet or csv/],
    [file({ codec: "" }), /files\.0\.codec/],
    [file({ rows: "119" }), /files\.0\.rows: expected an integer ≥ 0, found "119"/],
    [file({ size: -1 }), /files\.0\.size/],
    [file({ row_groups: 1.5 }), /files\.0\.row_groups/],
    [file({ min_ts: "x" }), /files\.0\.min_ts: expected an integer or null/],
    [file({ blake3: "abc" }), /files\.0\.blake3: expected 64 hex digits/],
    [file({ block_size: 0 }), /files\.0\.block_size: expected a positive integer/],
    [file({ blocks: "**" }), /files\.0\.blocks: expected base64/],
  ];
  for (const [make, re] of cases) {
    const bytes = await sealByHand(await make());
    await assert.rejects(decodeManifest(bytes, "/t/m.json"), (e: Error) => {
      assert.match(e.message, /^\/t\/m\.json: the table manifest is damaged/, String(re));
      assert.match(e.message, re);
      return true;
    });
    // The schema refuses it too: the read's check is never looser than the writer's on these fields.
    await assert.rejects(decodeManifest(bytes, "/t/m.json", { validate: true }), /damaged/, String(re));
  }
  // And what the schema accepts, the read accepts.
  assert.equal((await decodeManifest(await sealByHand(await body()), "/t/m.json")).version, 3);
});
