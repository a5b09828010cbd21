import assert from "node:assert/strict";
import { runCliCaptured } from "../helpers/cli.ts";
import { tempDir } from "../helpers/tmp.ts";

const root = new URL("../../", import.meta.url).pathname;
const cfg = ["--config", `${root}config/cryptorun.yaml`];

/** empyrical's `mixed_returns` (tests/test_stats.py): NaN, 1, 10, −4, 2, 3, 2, 1, −10 (%), daily from 2000-01-30. */
const MIXED = [NaN, 1, 10, -4, 2, 3, 2, 1, -10];
const csv = (xs: number[]) =>
  "ts,return\n" +
  xs.map((x, i) => `${new Date(Date.UTC(2000, 0, 30 + i)).toISOString()},${Number.isNaN(x) ? "" : x / 100}`)
    .join("\n") +
  "\n";

Deno.test("report --performance --returns FILE --json agrees with empyrical's mixed_returns (252/year)", async () => {
  await using dir = await tempDir();
  const f = `${dir.path}/mixed.csv`;
  await Deno.writeTextFile(f, csv(MIXED));
  const r = await runCliCaptured([
    ...cfg,
    "--json",
    "report",
    "--performance",
    "--returns",
    f,
    "--periods-per-year",
    "252",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  // Expected values: empyrical tests/test_stats.py (test_sharpe_ratio, test_sortino, test_max_drawdown,
  // test_annual_ret, test_annual_volatility, test_calmar), mixed_returns, DAILY.
  const want: Record<string, number> = {
    sharpe: 1.7238613961706866,
    sortino: 2.605531251673693,
    max_drawdown: -0.1,
    annual_return: 1.9135925373194231,
    annual_volatility: 0.9136465399704637,
    calmar: 19.135925373194233,
  };
  for (const [k, v] of Object.entries(want)) assert.ok(Math.abs(j[k] - v) < 1.5e-8, `${k}: ${j[k]} vs ${v}`);
  assert.equal(j.periods, 9);
  assert.equal(j.missing_periods, 1);
  assert.equal(j.source, "returns");
  // The NaN cell "NaN" reads the same as an empty one.
  await Deno.writeTextFile(f, csv(MIXED).replace(/Z,\n/, "Z,NaN\n"));
  const again = await runCliCaptured([
    ...cfg,
    "--json",
    "report",
    "--performance",
    "--returns",
    f,
    "--periods-per-year",
    "252",
  ]);
  assert.equal(again.stdout, r.stdout);
});

Deno.test("report --returns: default 365 periods per year, md/csv outfiles from the templates", async () => {
  await using dir = await tempDir();
  const f = `${dir.path}/pos.csv`;
  await Deno.writeTextFile(f, csv([1, 2, 1, 1, 1, 1, 1, 1, 1]));
  const r = await runCliCaptured([...cfg, "--json", "report", "--performance", "--returns", f]);
  const j = JSON.parse(r.stdout);
  // empyrical positive_returns: Sharpe 52.915026221291804 at √252, so at √365: · √(365/252).
  assert.ok(Math.abs(j.sharpe - 52.915026221291804 * Math.sqrt(365 / 252)) < 1e-8);
  assert.equal(j.sortino, null, "no downside: +∞ has no JSON number");
  assert.equal(j.periods_per_year, 365);
  for (const fmt of ["md", "csv"]) {
    const out = `${dir.path}/r.${fmt}`;
    const w = await runCliCaptured([...cfg, "report", "--performance", "--returns", f, "--outfile", out]);
    assert.equal(w.code, 0, w.stderr);
    const text = await Deno.readTextFile(out);
    if (fmt === "md") assert.match(text, /\| Sharpe \| 63\.\d{3} \|/);
    else assert.match(text, /^metric,value\nsource,returns\n/);
  }
});

Deno.test("report: bad input exits non-zero naming the value and writes no output file", async () => {
  await using dir = await tempDir();
  const bad = `${dir.path}/bad.csv`;
  await Deno.writeTextFile(bad, "ts,return\n2022-01-01T00:00:00Z,0.01\n2022-01-02T00:00:00Z,abc\n");
  const out = `${dir.path}/out.md`;
  const run = (...a: string[]) =>
    runCliCaptured([...cfg, "--data-dir", dir.path, "report", "--performance", ...a, "--outfile", out]);
  const cases: [string[], number, RegExp][] = [
    [["--returns", bad], 1, /bad\.csv:3: return: expected a number, found "abc"/],
    [["--returns", bad, "--from", "2022-01-01"], 2, /--from applies to a backtest/],
    [
      ["--from", "2022-03-01T00:00:00Z", "--to", "2022-02-01T00:00:00Z"],
      2,
      /--from 2022-03-01T00:00:00Z is not before --to/,
    ],
    [["--from", "2021-06-01T00:00:00Z", "--to", "2021-07-01T00:00:00Z"], 1, /empty window: no bar/],
    [
      ["--from", "2022-02-01T00:00:00Z", "--to", "2022-03-01T00:00:00Z", "--entry", "best"],
      2,
      /--entry: expected top or gates, found "best"/,
    ],
    [
      ["--from", "2022-02-01T00:00:00Z", "--to", "2022-03-01T00:00:00Z", "--every", "5h"],
      2,
      /--every: .*"5h"/,
    ],
    [
      ["--from", "2022-02-01T00:00:00Z", "--to", "2022-03-01T00:00:00Z", "--fees-bps", "-1"],
      2,
      /--fees-bps: .*"-1"/,
    ],
    [
      ["--from", "2022-02-01T00:00:00Z", "--to", "2022-03-01T00:00:00Z", "--workers", "0"],
      2,
      /--workers: expected a positive integer, found "0"/,
    ],
    [["--returns", bad, "--workers", "2"], 2, /--workers/],
    [["--returns", bad, "--format", "pdf"], 2, /--format: expected one of md, csv, json, html, found "pdf"/],
    [["--bogus"], 2, /--bogus/],
  ];
  for (const [a, code, re] of cases) {
    const r = await run(...a);
    assert.equal(r.code, code, `${a.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, re, a.join(" "));
    assert.equal(await Deno.stat(out).then(() => true, () => false), false, `${a.join(" ")} wrote ${out}`);
  }
  const none = await runCliCaptured([...cfg, "report"]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /choose a report: --performance/);
});

Deno.test("report: a webhook answering 500 is retried and recorded; the report still succeeds with its alerts", async () => {
  await using dir = await tempDir();
  let hits = 0;
  const ac = new AbortController();
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", signal: ac.signal, onListen: () => {} },
    async (req) => {
      await req.body?.cancel();
      hits++;
      return new Response("no", { status: 500 });
    },
  );
  try {
    const out = `${dir.path}/perf.json`;
    const r = await runCliCaptured([
      ...cfg,
      "--data-dir",
      dir.path,
      "--json",
      "report",
      "--performance",
      "--from",
      "2022-02-01T00:00:00Z",
      "--to",
      "2022-03-01T00:00:00Z",
      "--outfile",
      out,
    ], {
      CRYPTORUN_ALERT_WEBHOOK_URL: `http://127.0.0.1:${server.addr.port}/hook`,
      CRYPTORUN_PERSISTENCE_ENABLED: "false",
    });
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.ok(
      j.alerts.some((a: { rule: string }) => a.rule === "sharpe_below_min"),
      JSON.stringify(j.alerts),
    );
    assert.ok(
      j.notes.some((n: string) => /alerts via webhook: 0 sent, 0 deduped, \d+ failed \(HTTP 500/.test(n)),
    );
    assert.equal(hits, 3, "report.alerts.attempts = 3");
    assert.match(r.stderr, /delivery failed/);
    assert.deepEqual(JSON.parse(await Deno.readTextFile(out)).alerts, j.alerts);
  } finally {
    ac.abort();
    await server.finished;
  }
});
