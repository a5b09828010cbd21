// Strict times end to end (real processes): every impossible date of issue #13 is refused with exit 2 naming
// the flag and the value, on every command that takes a time; a CSV row with one is refused naming
// file:line and the value (exit 1, bad input data), and nothing is written.
import assert from "node:assert/strict";
import { spawnCli } from "../helpers/cli.ts";
import { tempDir } from "../helpers/tmp.ts";

/** Impossible calendar dates and out-of-range fields, each with the reason the parser must give. */
const IMPOSSIBLE: Array<[string, RegExp]> = [
  ["2020-02-30", /February 2020 has 29 days, not 30/],
  ["2022-02-30", /February 2022 has 28 days, not 30/],
  ["2021-02-29", /February 2021 has 28 days, not 29/],
  ["2019-04-31", /April 2019 has 30 days, not 31/],
  ["2019-12-32", /December 2019 has 31 days, not 32/],
  ["2019-13-01", /month 13 does not exist/],
  ["2019-01-00", /day 00 does not exist/],
  ["2020-01-01T24:00:00Z", /hour 24 is out of range/],
];

/** Runs `jobs` at most `n` at a time (the machine has 2 cores shared with others). */
async function limited<T>(jobs: Array<() => Promise<T>>, n = 3): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await jobs[i]();
    }
  }));
  return out;
}

Deno.test("--from/--to/--as-of: every impossible date exits 2 naming the flag and the value (real processes)", async () => {
  await using dir = await tempDir();
  const d = ["--data-dir", dir.path];
  const cases: Array<{ argv: string[]; flag: string; value: string; why: RegExp }> = [];
  for (const [value, why] of IMPOSSIBLE) {
    cases.push({ argv: [...d, "scan", "--as-of", value], flag: "--as-of", value, why });
    cases.push({
      argv: [...d, "cold", "dump", "--from", value, "--to", "2030-01-01"],
      flag: "--from",
      value,
      why,
    });
  }
  // The other flags and commands that take a time, once each.
  cases.push({
    argv: [...d, "cold", "dump", "--from", "2019-01-01", "--to", "2020-02-30"],
    flag: "--to",
    value: "2020-02-30",
    why: /February 2020 has 29 days/,
  });
  cases.push({
    argv: [...d, "stream", "publish", "--from", "2020-02-30", "--to", "2020-03-02"],
    flag: "--from",
    value: "2020-02-30",
    why: /February 2020 has 29 days/,
  });
  cases.push({
    argv: [...d, "stream", "publish", "--from", "2020-02-01", "--to", "2019-12-32"],
    flag: "--to",
    value: "2019-12-32",
    why: /December 2019 has 31 days/,
  });
  const results = await limited(cases.map((c) => () => spawnCli(c.argv)));
  results.forEach((r, i) => {
    const c = cases[i];
    const what = c.argv.slice(2).join(" ");
    assert.equal(r.code, 2, `${what}: exit ${r.code}\n${r.stderr}`);
    assert.match(r.stderr, new RegExp(`^cryptorun: ${c.flag}: `), what);
    assert.match(r.stderr, c.why, what);
    assert.ok(r.stderr.includes(`found ${JSON.stringify(c.value)}`), `${what}: ${r.stderr}`);
    assert.equal(r.stdout, "", what);
  });
});

Deno.test("cold write: a CSV row at 2020-02-30T00:00:00Z is refused naming file:line and value; nothing written", async () => {
  await using dir = await tempDir();
  const input = `${dir.path}/feb.csv`;
  await Deno.writeTextFile(
    input,
    [
      "ts,symbol,open,high,low,close,volume",
      "2020-02-28T23:00:00Z,BTC/USD,1,2,0.5,1.5,10",
      "2020-02-30T00:00:00Z,BTC/USD,1,2,0.5,1.5,10", // would roll over to dt=2020-03-01 with Date.parse
      "2020-03-01T00:00:00Z,BTC/USD,1,2,0.5,1.5,10",
    ].join("\n") + "\n",
  );
  const r = await spawnCli(["--data-dir", `${dir.path}/data`, "cold", "write", "--input", input]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(
    r.stderr,
    /feb\.csv:3: ts: February 2020 has 29 days, not 30 \(text "2020-02-30T00:00:00Z"\)/,
  );
  const files: string[] = [];
  const walk = async (p: string) => {
    for await (const e of Deno.readDir(p)) {
      if (e.isDirectory) await walk(`${p}/${e.name}`);
      else if (/\.(parquet|csv|gz|lz4)$/.test(e.name)) files.push(`${p}/${e.name}`);
    }
  };
  await walk(`${dir.path}/data`).catch((err) => {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  });
  assert.deepEqual(files, [], "no data file written");
});
