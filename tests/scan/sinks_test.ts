import assert from "node:assert/strict";
import { loadConfig } from "../../src/config/load.ts";
import { writeMicrostructure } from "../../src/data/hot/store.ts";
import { openPersistence } from "../../src/persistence/open.ts";
import { decodeEnvelope } from "../../src/stream/envelope.ts";
import { topicFile } from "../../src/stream/file/paths.ts";
import { runCliCaptured } from "../helpers/cli.ts";
import { tempDir } from "../helpers/tmp.ts";

const root = new URL("../../", import.meta.url).pathname;
const AS_OF = Date.UTC(2022, 5, 20, 8);

/**
 * The main job on the embedded defaults, wired for real: empty data dir → fixtures loaded into the cold tier →
 * scan → premove artifacts + regime snapshot in the embedded database → one envelope per result in the file
 * sink. A verified book in the hot tier feeds the liquidity gates for the one symbol that has it.
 */
Deno.test("scan stores premove artifacts and the regime snapshot, publishes one envelope per result, reads books", async () => {
  await using dir = await tempDir();
  const { config } = await loadConfig({
    configPath: `${root}config/cryptorun.yaml`,
    explicit: true,
    env: {},
  });
  // A verified Kraken book for ETH/USD 5 s before the as-of time; none for the others.
  await writeMicrostructure(dir.path, "kraken", {
    ts: AS_OF - 5_000,
    venue: "kraken",
    symbol: "ETH/USD",
    best_bid: 1100,
    best_ask: 1100.5,
    mid: 1100.25,
    spread_bps: 4.544,
    depth_usd_2pct: { bid: 90_000, ask: 40_000 },
    verified: true,
    checksum_ok: 100,
    checksum_failed: 0,
    resyncs: 0,
  }, { hotPath: config.tiers.hot_path });
  // A book from AFTER the as-of time must never be used (PIT).
  await writeMicrostructure(dir.path, "kraken", {
    ts: AS_OF + 1_000,
    venue: "kraken",
    symbol: "BTC/USD",
    best_bid: 20000,
    best_ask: 20001,
    mid: 20000.5,
    spread_bps: 0.5,
    depth_usd_2pct: { bid: 5e6, ask: 5e6 },
    verified: true,
    checksum_ok: 1,
    checksum_failed: 0,
    resyncs: 0,
  }, { hotPath: config.tiers.hot_path });

  const args = ["--config", `${root}config/cryptorun.yaml`, "--data-dir", dir.path, "--json", "scan"];
  const r = await runCliCaptured([...args, "--as-of", new Date(AS_OF).toISOString()]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.results.length, 5);
  assert.ok(
    out.notes.some((n: string) => /first run: loaded 21612 real Kraken hourly bars/.test(n)),
    out.notes,
  );
  assert.ok(
    out.notes.some((n: string) => /stored 5 premove artifacts and a regime snapshot; published 5/.test(n)),
  );

  const gate = (sym: string, name: string) =>
    out.results.find((x: { symbol: string }) => x.symbol === sym).gates.find((g: { name: string }) =>
      g.name === name
    );
  assert.equal(gate("ETH/USD", "spread").status, "pass");
  assert.match(gate("ETH/USD", "spread").reason, /spread 4\.5 bps ≤ \d+ bps cap/);
  assert.equal(gate("ETH/USD", "depth").status, "fail");
  assert.match(gate("ETH/USD", "depth").reason, /depth ±2% \$130k < \$\d+k minimum/);
  assert.equal(gate("BTC/USD", "spread").status, "unknown");
  assert.match(gate("BTC/USD", "spread").reason, /no verified kraken book for BTC\/USD/);

  // Persistence: the premove artifacts and the regime snapshot, read back through the repos.
  const db = await openPersistence(config.persistence, dir.path, {});
  try {
    const arts = await db.premove.window({ from: AS_OF, to: AS_OF });
    assert.deepEqual(arts.map((a) => a.symbol).sort(), [
      "BCH/USD",
      "BTC/USD",
      "ETH/USD",
      "LTC/USD",
      "XRP/USD",
    ]);
    const eth = arts.find((a) => a.symbol === "ETH/USD")!;
    assert.equal(eth.gate_a, null); // no funding data: unknown, never true
    assert.equal(typeof eth.gate_c, "boolean");
    assert.equal(eth.factors.venue, "kraken");
    const snap = await db.regime.latest(new Date(AS_OF));
    assert.ok(snap);
    assert.equal(snap.ts.getTime(), AS_OF); // 08:00 is a 4h boundary
    assert.equal(snap.regime, out.regime);
    assert.ok(Math.abs(snap.weights.momentum - out.weights.momentum) < 1e-3);
  } finally {
    await db.close();
  }

  // Stream: one valid envelope per result on scan.topic.
  const lines = (await Deno.readTextFile(topicFile(config.stream, dir.path, config.scan.topic))).trim().split(
    "\n",
  );
  assert.equal(lines.length, 5);
  const envs = lines.map(decodeEnvelope);
  assert.deepEqual(envs.map((e) => e.symbol), out.results.map((x: { symbol: string }) => x.symbol));
  assert.equal(envs[0].ts, new Date(AS_OF).toISOString());
  assert.equal(JSON.parse(envs[0].payload).score, out.results[0].score);

  // Same as-of again: the regime did not change, so no second snapshot; artifacts are upserted (idempotent).
  const again = await runCliCaptured([...args, "--as-of", new Date(AS_OF).toISOString()]);
  assert.equal(again.code, 0, again.stderr);
  const notes2: string[] = JSON.parse(again.stdout).notes;
  assert.ok(notes2.some((n) => /stored 5 premove artifacts; published 5/.test(n)), notes2.join(" | "));
  const db2 = await openPersistence(config.persistence, dir.path, {});
  try {
    const arts = await db2.premove.window({ from: AS_OF, to: AS_OF });
    assert.equal(arts.length, 5, "re-running the same as-of replaces its artifacts, never duplicates them");
  } finally {
    await db2.close();
  }
});

Deno.test("scan --explain with a symbol not in the scan exits 2 having stored and published nothing", async () => {
  await using dir = await tempDir();
  const { config } = await loadConfig({
    configPath: `${root}config/cryptorun.yaml`,
    explicit: true,
    env: {},
  });
  const args = ["--config", `${root}config/cryptorun.yaml`, "--data-dir", dir.path, "scan"];
  const asOf = ["--as-of", new Date(AS_OF).toISOString()];
  const topic = topicFile(config.stream, dir.path, config.scan.topic);
  const stored = async () => {
    const db = await openPersistence(config.persistence, dir.path, {});
    try {
      return {
        artifacts: (await db.premove.window({ from: 0, to: AS_OF * 2 })).length,
        regime: await db.regime.latest(new Date(AS_OF)),
      };
    } finally {
      await db.close();
    }
  };

  const r = await runCliCaptured([...args, ...asOf, "--explain", "SOL/USD"]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(
    r.stderr,
    /--explain: SOL\/USD is not in this scan as of 2022-06-20T08:00:00\.000Z — scanned: /,
  );
  assert.equal(r.stdout, "");
  await assert.rejects(Deno.stat(topic), Deno.errors.NotFound, "no envelope published");
  assert.deepEqual(await stored(), { artifacts: 0, regime: null });

  // Not vacuous: the same run with a symbol of the scan stores and publishes.
  const ok = await runCliCaptured([...args, ...asOf, "--explain", "ETH/USD"]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /ETH\/USD/);
  assert.equal((await Deno.readTextFile(topic)).trim().split("\n").length, 5);
  const after = await stored();
  assert.equal(after.artifacts, 5);
  assert.ok(after.regime);
});
