import assert from "node:assert/strict";
import { loadConfig } from "../../src/config/load.ts";
import { openColdStore } from "../../src/data/cold/store.ts";
import { FIXTURE_FILES, readBarsCsv } from "../../src/scan/fixtures.ts";
import { runCliCaptured } from "../helpers/cli.ts";
import { tempDir } from "../helpers/tmp.ts";

const root = new URL("../../", import.meta.url).pathname;
const HOUR = 3_600_000;

/**
 * PIT through the data door and the real cold tier: a backtest to T on a store holding bars closed by T, then
 * the later real bars are APPENDED with corrupted prices (and absurd canaries, one opened exactly at T − 0, i.e.
 * not closed by T) and the same report is run again → byte-identical JSON and Markdown outfile.
 */
Deno.test("PIT: appending corrupted future bars after --to leaves `report --performance` byte-identical", async () => {
  await using dir = await tempDir();
  const { config } = await loadConfig({
    configPath: `${root}config/cryptorun.yaml`,
    explicit: true,
    env: {},
  });
  const store = openColdStore(config.cold, dir.path);
  const table = config.cold.parquet_schema.table;
  const T = Date.UTC(2022, 2, 1); // --to 2022-03-01
  const all = await readBarsCsv(FIXTURE_FILES.find((f) => f.venue === "kraken")!.url);
  await store.write(table, all.filter((r) => r.ts + HOUR <= T));
  const run = (out: string) =>
    runCliCaptured([
      "--config",
      `${root}config/cryptorun.yaml`,
      "--data-dir",
      dir.path,
      "--json",
      "report",
      "--performance",
      "--from",
      "2022-02-01T00:00:00Z",
      "--to",
      new Date(T).toISOString(),
      "--outfile",
      out,
    ]);
  const before = await run(`${dir.path}/before.md`);
  assert.equal(before.code, 0, before.stderr);
  assert.ok(JSON.parse(before.stdout).trades > 0, "the window must trade for the test to mean anything");

  const future = all.filter((r) => r.ts + HOUR > T).map((r) => ({
    ...r,
    open: r.open * 100,
    high: r.high * 1000,
    low: r.low / 1000,
    close: r.close * 0.001,
    volume: r.volume * 1e6,
  }));
  const canaries = ["BTC/USD", "ETH/USD", "LTC/USD", "BCH/USD", "XRP/USD"].map((symbol) => ({
    ts: Date.UTC(2023, 0, 1),
    symbol,
    open: 1e9,
    high: 1e12,
    low: 1e-6,
    close: 1e12,
    volume: 1e15,
  }));
  await store.write(table, [...future, ...canaries]);
  const after = await run(`${dir.path}/after.md`);
  assert.equal(after.code, 0, after.stderr);
  assert.equal(after.stdout, before.stdout);
  assert.equal(
    await Deno.readTextFile(`${dir.path}/after.md`),
    await Deno.readTextFile(`${dir.path}/before.md`),
  );
});

Deno.test("PIT: appending corrupted future bars after --as-of leaves `report --portfolio` and its charts byte-identical", async () => {
  await using dir = await tempDir();
  const { config } = await loadConfig({
    configPath: `${root}config/cryptorun.yaml`,
    explicit: true,
    env: {},
  });
  const store = openColdStore(config.cold, dir.path);
  const table = config.cold.parquet_schema.table;
  const T = Date.UTC(2022, 4, 10, 12);
  const all = await readBarsCsv(FIXTURE_FILES.find((f) => f.venue === "kraken")!.url);
  await store.write(table, all.filter((r) => r.ts + HOUR <= T));
  const args = [
    "--config",
    `${root}config/cryptorun.yaml`,
    "--data-dir",
    dir.path,
    "--json",
    "report",
    "--portfolio",
    "--as-of",
    new Date(T).toISOString(),
  ];
  // The charts too: each run writes them (SVG and PNG) to its own directory; the html has them inline.
  const run = (tag: string) =>
    runCliCaptured([...args, "--charts", `${dir.path}/${tag}`, "--outfile", `${dir.path}/${tag}.html`], {
      CRYPTORUN_PERSISTENCE_ENABLED: "false",
    });
  const before = await run("before");
  assert.equal(before.code, 0, before.stderr);
  const doc = JSON.parse(before.stdout);
  assert.ok(doc.holdings.length > 0);
  assert.equal(doc.charts.files.length, 4, "every portfolio chart drawn, so the comparison covers them");
  await store.write(
    table,
    all.filter((r) => r.ts + HOUR > T).map((r) => ({
      ...r,
      open: r.open * 3,
      low: r.low / 50,
      close: r.close * 9,
    })),
  );
  const after = await run("after");
  assert.equal(after.code, 0, after.stderr);
  assert.equal(after.stdout.replaceAll(`${dir.path}/after`, `${dir.path}/before`), before.stdout);
  assert.equal(
    await Deno.readTextFile(`${dir.path}/after.html`),
    await Deno.readTextFile(`${dir.path}/before.html`),
  );
  for (const f of doc.charts.files as { name: string }[]) {
    for (const ext of ["svg", "png"]) {
      assert.deepEqual(
        await Deno.readFile(`${dir.path}/after/${f.name}.${ext}`),
        await Deno.readFile(`${dir.path}/before/${f.name}.${ext}`),
        `${f.name}.${ext} changed when future bars were appended`,
      );
    }
  }
});
