// Checksums on every byte read (issue 13): one flipped bit at seeded random offsets of every part of a small
// table (Parquet and CSV) and of its manifest. Every read whose result would change is refused naming the
// file (exit 1 on the CLI) — compared against the clean read; `cold verify` lists exactly the damaged files;
// `--repair-from` a clean copy restores them and verify passes.
import assert from "node:assert/strict";
import { ColdSection } from "../../../src/config/sections/cold.ts";
import { BLOCK_SIZE, ChecksumError } from "../../../src/data/cold/checksum.ts";
import { filePath, type Manifest, readManifest } from "../../../src/data/cold/manifest.ts";
import { openColdStore } from "../../../src/data/cold/store.ts";
import { readCurrent } from "../../../src/data/cold/table_dir.ts";
import { InputError } from "../../../src/util/errors.ts";
import { DAY_MS, HOUR_MS } from "../../../src/util/time.ts";
import { runCliCaptured } from "../../helpers/cli.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { collect, syntheticBars } from "./synthetic.ts";
import { copyTree } from "./table_helpers.ts";

const D0 = Date.parse("2025-08-01T00:00:00Z");
const SYMBOLS = ["BTC/USD", "ETH/USD", "SOL/USD"];
const DAY1 = syntheticBars({ start: D0, end: D0 + DAY_MS, stepMs: 600_000, symbols: SYMBOLS, seed: 1 });
const DAY2 = syntheticBars({
  start: D0 + DAY_MS,
  end: D0 + 2 * DAY_MS,
  stepMs: 600_000,
  symbols: SYMBOLS,
  seed: 2,
});
// Day 3: 1-minute bars of 12 pairs, a part of several 64 KiB blocks.
const DAY3 = syntheticBars({
  start: D0 + 2 * DAY_MS,
  end: D0 + 3 * DAY_MS,
  stepMs: 60_000,
  symbols: Array.from({ length: 12 }, (_, i) => `C${i}/USD`),
  seed: 3,
});
const FLIPS_PER_FILE = 6;

/** The windows compared against the clean read: everything, each day, a few hours. */
const WINDOWS = [
  { from: 0, to: 8.64e15 },
  { from: D0, to: D0 + DAY_MS - 1 },
  { from: D0 + DAY_MS, to: D0 + 2 * DAY_MS - 1 },
  { from: D0 + 2 * DAY_MS, to: D0 + 3 * DAY_MS - 1 },
  { from: D0 + 3 * HOUR_MS, to: D0 + 5 * HOUR_MS },
  { from: D0 + DAY_MS + 20 * HOUR_MS, to: D0 + 2 * DAY_MS + 2 * HOUR_MS },
  { from: D0 + 2 * DAY_MS + 13 * HOUR_MS, to: D0 + 2 * DAY_MS + 13 * HOUR_MS + 30 * 60_000 },
];

async function build(dataDir: string) {
  const store = openColdStore(ColdSection.parse({ row_group_size: 2000 }), dataDir);
  await store.write("ohlcv", DAY1);
  await store.write("ohlcv", DAY2.filter((r) => r.symbol !== "SOL/USD"));
  // A CSV part in the same day (the table holds both formats).
  await store.write("ohlcv", DAY2.filter((r) => r.symbol === "SOL/USD"), {
    format: "csv",
    compression: "gzip",
  });
  await store.write("ohlcv", DAY3);
  return store;
}

function lcg(seed: number) {
  let s = seed;
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
}

async function flipBit(path: string, offset: number, bit: number): Promise<void> {
  const f = await Deno.open(path, { read: true, write: true });
  try {
    const b = new Uint8Array(1);
    await f.seek(offset, Deno.SeekMode.Start);
    await f.read(b);
    b[0] ^= 1 << bit;
    await f.seek(offset, Deno.SeekMode.Start);
    await f.write(b);
  } finally {
    f.close();
  }
}

Deno.test("bit flips in every part and in the manifest: every changed read is refused naming the file; verify lists exactly it", async () => {
  await using dir = await tempDir();
  const store = await build(dir.path);
  const cur = (await readCurrent(store.root))!;
  const m: Manifest = await readManifest(cur.dir);
  assert.deepEqual(m.files.map((f) => `${f.dt}/${f.name}`), [
    "2025-08-01/part-00000.parquet",
    "2025-08-02/part-00000.parquet",
    "2025-08-02/part-00001.csv.gz",
    "2025-08-03/part-00000.parquet",
  ]);
  assert.ok(m.files[3].size > 3 * BLOCK_SIZE, `a multi-block part (${m.files[3].size} B)`);
  const clean = await Promise.all(WINDOWS.map((w) => collect(store.read("ohlcv", w))));
  const rnd = lcg(13);
  let refused = 0;
  let unchanged = 0;
  const targets = [...m.files.map((f) => ({ path: filePath(cur.dir, f), size: f.size })), {
    path: `${cur.dir}/_manifest.json`,
    size: (await Deno.stat(`${cur.dir}/_manifest.json`)).size,
  }];
  for (const t of targets) {
    for (let k = 0; k < FLIPS_PER_FILE; k++) {
      const offset = Math.floor(rnd() * t.size);
      const bit = Math.floor(rnd() * 8);
      await flipBit(t.path, offset, bit);
      try {
        for (const [i, w] of WINDOWS.entries()) {
          try {
            const got = await collect(store.read("ohlcv", w));
            // A read that succeeds must be exactly the clean read (it did not touch the damaged block).
            assert.deepEqual(got, clean[i], `${t.path} @${offset}: window ${i} returned other rows`);
            unchanged++;
          } catch (err) {
            assert.ok(err instanceof InputError, `${err}`);
            assert.ok(
              (err as Error).message.includes(t.path),
              `${t.path} @${offset}: ${(err as Error).message}`,
            );
            refused++;
          }
        }
        // The whole-table read touches every block: always refused.
        await assert.rejects(
          collect(store.read("ohlcv", WINDOWS[0])),
          (e: Error) => e.message.includes(t.path),
        );
        const v = await store.verify("ohlcv");
        assert.equal(v.ok, false);
        assert.deepEqual(v.damaged.map((d) => d.path), [t.path], `verify @${offset}`);
      } finally {
        await flipBit(t.path, offset, bit);
      }
    }
  }
  assert.ok((await store.verify("ohlcv")).ok);
  assert.ok(refused > targets.length * FLIPS_PER_FILE, `refused ${refused}, unchanged ${unchanged}`);
  assert.ok(unchanged > 0, "reads that miss the damaged block still work");
});

Deno.test("a windowed read verifies only the blocks it reads: damage elsewhere in the file does not stop it", async () => {
  await using dir = await tempDir();
  const store = await build(dir.path);
  const cur = (await readCurrent(store.root))!;
  const big = (await readManifest(cur.dir)).files[3];
  const path = filePath(cur.dir, big);
  const narrow = WINDOWS[6];
  const before = await collect(store.read("ohlcv", narrow, { onIo: () => {} }));
  // Which blocks does the narrow read touch? Damage a block it does not.
  const touched = new Set<number>();
  const probe = openColdStore(ColdSection.parse({}), dir.path);
  let bytes = 0;
  await collect(probe.read("ohlcv", narrow, { onIo: (e) => e.kind === "bytes" && (bytes += e.bytes) }));
  assert.ok(bytes < big.size, `the narrow read reads ${bytes} of ${big.size} B`);
  const blocks = Math.ceil(big.size / BLOCK_SIZE);
  let victim = -1;
  for (let b = 0; b < blocks - 2 && victim < 0; b++) {
    await flipBit(path, b * BLOCK_SIZE + 7, 3);
    try {
      await collect(store.read("ohlcv", narrow));
      victim = b;
    } catch (err) {
      assert.ok(err instanceof ChecksumError);
      touched.add(b);
      await flipBit(path, b * BLOCK_SIZE + 7, 3);
    }
  }
  assert.ok(victim >= 0, "some block is not read by the narrow window");
  assert.deepEqual(await collect(store.read("ohlcv", narrow)), before);
  await assert.rejects(collect(store.read("ohlcv", WINDOWS[3])), (e: Error) => {
    assert.ok(e instanceof ChecksumError);
    assert.match(e.message, new RegExp(`checksum mismatch at bytes ${victim * BLOCK_SIZE}\\.\\.`));
    return true;
  });
});

Deno.test("CLI: damaged part → dump/stats exit 1 naming it; verify lists it; --repair-from a copy restores it", async () => {
  await using dir = await tempDir();
  const store = await build(dir.path);
  const replica = `${dir.path}/replica`;
  await copyTree(store.root, replica); // a backup of the table, taken while it was intact
  const cur = (await readCurrent(store.root))!;
  const m = await readManifest(cur.dir);
  const d = ["--data-dir", dir.path];
  const cleanDump = await runCliCaptured([
    ...d,
    "cold",
    "dump",
    "--from",
    "2025-08-01",
    "--to",
    "2025-08-04",
  ]);
  assert.equal(cleanDump.code, 0, cleanDump.stderr);
  // Two damaged parts (Parquet and CSV).
  const hurt = [filePath(cur.dir, m.files[0]), filePath(cur.dir, m.files[2])];
  await flipBit(hurt[0], Math.floor(m.files[0].size / 2), 5);
  await flipBit(hurt[1], 30, 1);
  const dump = await runCliCaptured([...d, "cold", "dump", "--from", "2025-08-01", "--to", "2025-08-04"]);
  assert.equal(dump.code, 1);
  assert.match(dump.stderr, /checksum mismatch at bytes \d+\.\.\d+ \(block 0 of 1\)/);
  assert.ok(hurt.some((p) => dump.stderr.includes(p)), dump.stderr);
  assert.equal(dump.stdout, "", "no row printed from a damaged table");
  const st = await runCliCaptured([...d, "cold", "stats"]);
  assert.equal(st.code, 1);
  const v = await runCliCaptured([...d, "--json", "cold", "verify"]);
  assert.equal(v.code, 1);
  const rep = JSON.parse(v.stdout);
  assert.deepEqual(rep.damaged.map((x: { path: string }) => x.path).sort(), [...hurt].sort());
  assert.ok(rep.damaged.every((x: { problem: string }) => x.problem === "checksum"));
  const text = await runCliCaptured([...d, "cold", "verify"]);
  assert.match(text.stdout, /FAIL: table ohlcv .* 2 damaged file\(s\) of 4/);
  // A copy without the good bytes repairs nothing.
  await using empty = await tempDir();
  const none = await runCliCaptured([...d, "cold", "verify", "--repair-from", empty.path]);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /no intact copy in .* nothing repaired/);
  // Repair from the backup: a new snapshot with the good bytes; verify passes; reads as before.
  const fixed = await runCliCaptured([...d, "cold", "verify", "--repair-from", replica]);
  assert.equal(fixed.code, 0, fixed.stderr + fixed.stdout);
  assert.match(fixed.stdout, /committed repair as snapshot 5/);
  assert.match(fixed.stdout, /OK: table ohlcv .*4 file\(s\)/);
  assert.equal((await runCliCaptured([...d, "cold", "verify"])).code, 0);
  const after = await runCliCaptured([...d, "cold", "dump", "--from", "2025-08-01", "--to", "2025-08-04"]);
  assert.equal(after.stdout, cleanDump.stdout);
  assert.equal((await readManifest((await readCurrent(store.root))!.dir)).operation, "repair");
});

Deno.test("a damaged manifest: every read refused naming it; repaired from the copy's snapshot of that version", async () => {
  await using dir = await tempDir();
  const store = await build(dir.path);
  const replica = `${dir.path}/replica`;
  await copyTree(store.root, replica);
  const clean = await collect(store.read("ohlcv", WINDOWS[0]));
  const cur = (await readCurrent(store.root))!;
  const mpath = `${cur.dir}/_manifest.json`;
  await flipBit(mpath, 300, 2);
  for (const w of WINDOWS) {
    await assert.rejects(collect(store.read("ohlcv", w)), (e: Error) => {
      assert.ok(
        e.message.startsWith(`${mpath}: the table manifest is damaged (checksum mismatch`),
        e.message,
      );
      return true;
    });
  }
  await assert.rejects(store.write("ohlcv", DAY1), /the table manifest is damaged/);
  const v = await store.verify("ohlcv");
  assert.deepEqual(v.damaged.map((x) => [x.path, x.problem]), [[mpath, "manifest"]]);
  // A stray file in the snapshot (an external glob would read it) is damage too.
  await Deno.writeFile(`${cur.dir}/dt=2025-08-01/part-00007.parquet`, new Uint8Array([1, 2, 3]));
  const r = await store.repair("ohlcv", replica);
  assert.equal(r.snapshot, 5);
  assert.deepEqual(r.repaired, []);
  const after = await store.verify("ohlcv");
  assert.ok(after.ok, JSON.stringify(after.damaged));
  assert.deepEqual(await collect(store.read("ohlcv", WINDOWS[0])), clean);
});
