// The manifest seals itself (BLAKE3 over its bytes with the checksum zeroed) and is validated with zod:
// a damaged or malformed manifest is an error naming the file and what is wrong — never an empty table.
import assert from "node:assert/strict";
import { decodeManifest, encodeManifest, type ManifestBody } from "../../../src/data/cold/manifest.ts";
import { Buffer } from "node:buffer";
import { digestBytes } from "../../../src/data/cold/checksum.ts";

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

Deno.test("manifest: a sealed manifest that breaks the schema or its invariants names the field", async () => {
  const cases: Array<[(b: ManifestBody) => void, RegExp]> = [
    [(b) => (b.files[0].name = "part-1.parquet"), /files\.0\.name: expected part-NNNNN/],
    [
      (b) => (b.part_seq["2025-01-01"] = 1),
      /part_seq: dt=2025-01-01\/part-00001\.parquet: part number not below part_seq/,
    ],
    [
      (b) => (b.added = ["dt=2025-01-02/part-00000.parquet"]),
      /added dt=2025-01-02\/part-00000\.parquet is not in files/,
    ],
    [(b) => b.files.push({ ...b.files[0] }), /listed twice/],
    [(b) => ((b as unknown as Record<string, unknown>).version = 0), /version: /],
  ];
  for (const [mutate, re] of cases) {
    const b = await body();
    mutate(b);
    await assert.rejects(decodeManifest(await encodeManifest(b), "/t/m.json"), re);
  }
});
