import assert from "node:assert/strict";
import { join } from "node:path";
import { openWarmCache, type WarmKey } from "../../../src/data/warm/cache.ts";
import { warmSource } from "../../../src/data/warm/source.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { fakeVenue, type QuoteRow } from "./fake_venue.ts";

const KEY: WarmKey = { venue: "kraken", endpoint: "Depth", params: { symbol: "BTC/USD", count: "10" } };

async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for await (const e of Deno.readDir(d)) {
      if (e.isDirectory) await walk(join(d, e.name));
      else out.push(join(d, e.name).slice(dir.length + 1));
    }
  };
  await walk(dir).catch(() => {});
  return out.sort();
}

Deno.test("warm cache: an entry is keyed by the normalised request, survives a restart, sits beside the poller's cursor", async () => {
  await using dir = await tempDir();
  await Deno.mkdir(`${dir.path}/kraken`, { recursive: true });
  await Deno.writeTextFile(`${dir.path}/kraken/ohlc_since.json`, `{"version":1}`);
  const a = openWarmCache(dir.path);
  await a.put(KEY, { fetch: 1, trades: [1, 2] }, 1_700_000_000_000);
  // The same request with its params in another order is the same key.
  const reordered = { ...KEY, params: { count: "10", symbol: "BTC/USD" } };
  // A restart: a new cache object over the same directory.
  const b = openWarmCache(dir.path);
  const got = await b.get(reordered);
  assert.equal(got.status, "ok");
  if (got.status === "ok") {
    assert.deepEqual(got.entry.body, { fetch: 1, trades: [1, 2] });
    assert.equal(got.entry.fetchedAt, 1_700_000_000_000);
  }
  assert.equal((await b.get({ ...KEY, params: { symbol: "BTC/USD", count: "25" } })).status, "miss");
  const listed = await b.list("kraken");
  assert.deepEqual(listed.map((x) => [x.key.endpoint, x.key.params.symbol, x.fetchedAt]), [
    ["Depth", "BTC/USD", 1_700_000_000_000],
  ]);
  const fs = await files(dir.path);
  assert.equal(fs.length, 2);
  assert.ok(fs.includes("kraken/ohlc_since.json"));
  assert.match(fs.find((f) => f.endsWith(".entry"))!, /^kraken\/Depth\/[0-9a-f]{32}\.entry$/);
  assert.equal(await Deno.readTextFile(`${dir.path}/kraken/ohlc_since.json`), `{"version":1}`);
  assert.equal(b.corrupt(), 0);
});

Deno.test("warm cache: every truncation of an entry, a flipped byte, a foreign entry at the path → dropped, counted, never returned", async () => {
  await using dir = await tempDir();
  const cache = openWarmCache(dir.path);
  await cache.put(KEY, { fetch: 7, trades: [10, 20, 30] }, 123);
  const path = join(dir.path, (await files(dir.path))[0]);
  const whole = await Deno.readFile(path);
  let dropped = 0;
  for (let n = 0; n < whole.length; n++) {
    await Deno.writeFile(path, whole.subarray(0, n));
    const r = await cache.get(KEY);
    assert.equal(r.status, "corrupt", `a ${n}-byte prefix of ${whole.length} was accepted`);
    dropped++;
    assert.equal(await Deno.stat(path).then(() => true, () => false), false, "the bad entry was not deleted");
  }
  // One flipped byte anywhere in the body.
  const nl = whole.indexOf(10);
  for (const at of [nl + 1, nl + 5, whole.length - 1]) {
    const bad = whole.slice();
    bad[at] ^= 0x01;
    await Deno.writeFile(path, bad);
    const r = await cache.get(KEY);
    assert.equal(r.status, "corrupt");
    if (r.status === "corrupt") assert.match(r.reason, /checksum|JSON/);
    dropped++;
  }
  // Another request's (valid) entry copied to this key's path.
  const other = { ...KEY, params: { symbol: "ETH/USD", count: "10" } };
  await cache.put(other, { fetch: 8, trades: [] }, 124);
  const otherPath = (await files(dir.path)).map((f) => join(dir.path, f)).find((p) => p !== path)!;
  await Deno.copyFile(otherPath, path);
  const foreign = await cache.get(KEY);
  assert.equal(foreign.status, "corrupt");
  if (foreign.status === "corrupt") assert.match(foreign.reason, /another request/);
  dropped++;
  // The intact entry is still served.
  assert.equal((await cache.get(other)).status, "ok");
  assert.equal(cache.corrupt(), dropped);
});

/** Starts the child writer and SIGKILLs it once it says half its entry is written. */
async function killMidWrite(root: string, mode: "atomic" | "torn"): Promise<void> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./kill_writer_child.ts", import.meta.url).pathname, root, mode],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!out.includes("half\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    out += value;
  }
  assert.equal(out, "half\n", "the child reached the middle of its write");
  child.kill("SIGKILL");
  const st = await child.status;
  assert.equal(st.signal, "SIGKILL");
  await reader.cancel();
  await child.stderr.cancel();
}

Deno.test("warm tier: a writer killed mid-write never gets its half entry served — the entry is refetched", async () => {
  await using dir = await tempDir();
  const now = 1_700_000_000_000;
  // 1. The cache's own atomic protocol, killed before its rename: the previous entry stays whole.
  const cache = openWarmCache(dir.path);
  await cache.put(KEY, { fetch: 1, trades: [] }, now - 1_000);
  await killMidWrite(dir.path, "atomic");
  const after = await openWarmCache(dir.path).get(KEY);
  assert.equal(after.status, "ok");
  if (after.status === "ok") assert.deepEqual(after.entry.body, { fetch: 1, trades: [] });
  assert.ok((await files(dir.path)).some((f) => f.endsWith(".tmp")), "the killed write left its temp file");

  // 2. A writer that wrote in place, killed halfway: a truncated entry on disk.
  await killMidWrite(dir.path, "torn");
  const entry = (await files(dir.path)).find((f) => f.endsWith(".entry"))!;
  const onDisk = await Deno.readFile(join(dir.path, entry));
  assert.ok(onDisk.length > 1000, "half of a big entry is on disk");

  // A point-in-time read cannot refetch: the torn entry is a miss, never served.
  const v = fakeVenue();
  const restarted = openWarmCache(dir.path);
  const src = warmSource<{ books: QuoteRow; trades: QuoteRow }, "books">({
    kind: "books",
    venue: v.venue,
    cache: restarted,
    ttlMs: 15_000,
    now: () => now,
  });
  const pit = await src.read({ venue: "kraken", symbols: ["BTC/USD"], from: 0, to: now, live: false, now });
  assert.deepEqual(pit.get("BTC/USD"), { miss: "corrupt" });
  assert.equal(
    (await files(dir.path)).some((f) => f.endsWith(".entry")),
    false,
    "the torn entry was dropped",
  );
  assert.equal(restarted.corrupt(), 1);

  // Torn again; a live read drops it, refetches, serves the new response and stores it whole.
  await killMidWrite(dir.path, "torn");
  const live = await src.read({ venue: "kraken", symbols: ["BTC/USD"], from: 0, to: now, live: true, now });
  const hit = live.get("BTC/USD")!;
  assert.ok("rows" in hit);
  if ("rows" in hit) {
    assert.deepEqual(hit.rows, [{ ts: now, symbol: "BTC/USD", fetch: 1 }]);
    assert.equal(hit.cached, false);
  }
  assert.equal(v.fetches, 1);
  assert.equal(restarted.corrupt(), 2);
  const stored = await openWarmCache(dir.path).get(KEY);
  assert.equal(stored.status, "ok");
  if (stored.status === "ok") assert.deepEqual(stored.entry.body, { fetch: 1, trades: [] });
});
