import assert from "node:assert/strict";
import { dirname, resolve } from "node:path";
import { runCliCaptured } from "../helpers/cli.ts";
import { assertWellFormedSvg, svgTexts } from "../helpers/svg.ts";
import { tempDir } from "../helpers/tmp.ts";

const root = new URL("../../", import.meta.url).pathname;
const AS_OF = "2022-05-10T12:00:00Z";
const NAMES = ["portfolio_correlation", "portfolio_sectors", "portfolio_weights", "portfolio_beta"];

interface Doc {
  holdings: { symbol: string; status: string; weight: number; sector: string }[];
  correlation: { names: string[]; matrix: (number | null)[][] };
  charts: {
    dir: string;
    files: { name: string; title: string; svg: string; png: string }[];
    omitted: { name: string; title: string; reason: string }[];
  };
}

const report = (dataDir: string, ...a: string[]) =>
  runCliCaptured([
    "--config",
    `${root}config/cryptorun.yaml`,
    "--data-dir",
    dataDir,
    "--json",
    "report",
    "--portfolio",
    "--as-of",
    AS_OF,
    ...a,
  ], { CRYPTORUN_PERSISTENCE_ENABLED: "false" });

Deno.test("report --portfolio --charts DIR: SVG+PNG per chart, listed in --json, inline in html, linked from md, the table's numbers", async () => {
  await using dir = await tempDir();
  const charts = `${dir.path}/pcharts`;
  const r = await report(dir.path, "--charts", charts, "--outfile", `${dir.path}/pf.html`);
  assert.equal(r.code, 0, r.stderr);
  const j: Doc = JSON.parse(r.stdout);
  const open = j.holdings.filter((h) => h.status === "open");
  assert.ok(
    open.length >= 2,
    "the as-of must hold 2+ open positions for the correlation chart to mean anything",
  );
  assert.equal(j.charts.dir, charts);
  assert.deepEqual(j.charts.files.map((f) => f.name), NAMES);
  assert.deepEqual(j.charts.omitted, []);
  const html = await Deno.readTextFile(`${dir.path}/pf.html`);
  assert.doesNotMatch(html, /<script|src="|href="http/, "self-contained");
  for (const f of j.charts.files) {
    assert.equal(f.svg, `${charts}/${f.name}.svg`);
    assert.equal(f.png, `${charts}/${f.name}.png`);
    const svg = await Deno.readTextFile(f.svg);
    assertWellFormedSvg(svg, f.name);
    assert.ok(html.includes(`<figure id="chart-${f.name}">${svg}</figure>`), `${f.name} inline in the html`);
    const png = await Deno.readFile(f.png);
    assert.deepEqual([...png.slice(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], f.name);
    assert.ok(png.length > 1000, `${f.name}.png is ${png.length} bytes`);
  }
  // The correlation chart's cells are the report's matrix (2 decimals), row by row.
  const corr = await Deno.readTextFile(`${charts}/portfolio_correlation.svg`);
  assert.deepEqual(
    svgTexts(corr, /font-size="9"/),
    j.correlation.matrix.flat().map((x) => (x === null ? "–" : x.toFixed(2))),
  );
  // Weights: the open holdings' weights sum to 1 and the bars show them.
  assert.ok(Math.abs(open.reduce((a, h) => a + h.weight, 0) - 1) < 1e-9);
  const w = await Deno.readTextFile(`${charts}/portfolio_weights.svg`);
  assert.deepEqual(
    svgTexts(w, /^ x="[\d.]+" y="[\d.]+" font-size="10"$/).sort(),
    open.map((h) => `${(h.weight * 100).toFixed(1)}%`).sort(),
  );

  // Markdown: every drawn chart linked, relative to the report, to a file that exists.
  const md = `${dir.path}/sub/pf.md`;
  const m = await report(dir.path, "--charts", charts, "--outfile", md);
  assert.equal(m.code, 0, m.stderr);
  const links = [...(await Deno.readTextFile(md)).matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((x) => x[1]);
  assert.deepEqual(links.map((l) => l.split("/").pop()), NAMES.map((n) => `${n}.png`));
  for (const l of links) await Deno.stat(resolve(dirname(md), l));
});

Deno.test("report --portfolio: charts default to <data-dir>/reports/charts as portfolio_* (the performance charts are not overwritten)", async () => {
  await using dir = await tempDir();
  const def = `${dir.path}/reports/charts`;
  await Deno.mkdir(def, { recursive: true });
  for (const n of ["correlation", "sectors"]) await Deno.writeTextFile(`${def}/${n}.svg`, `perf ${n}`);
  const r = await report(dir.path);
  assert.equal(r.code, 0, r.stderr);
  const j: Doc = JSON.parse(r.stdout);
  assert.equal(j.charts.dir, def);
  const files = [];
  for await (const e of Deno.readDir(def)) files.push(e.name);
  assert.deepEqual(
    files.sort(),
    ["correlation.svg", "sectors.svg", ...NAMES.flatMap((n) => [`${n}.png`, `${n}.svg`])].sort(),
  );
  assert.equal(await Deno.readTextFile(`${def}/correlation.svg`), "perf correlation");
});

Deno.test("report --portfolio with one open holding: no correlation chart, the reason stated, an earlier run's file removed", async () => {
  await using dir = await tempDir();
  const charts = `${dir.path}/c`;
  assert.equal((await report(dir.path, "--charts", charts)).code, 0);
  await Deno.stat(`${charts}/portfolio_correlation.svg`);
  // One step a day and one pick: the position entered at 00:00 is the only one within the 24h hold.
  const r = await report(
    dir.path,
    "--charts",
    charts,
    "--top",
    "1",
    "--every",
    "24h",
    "--outfile",
    `${dir.path}/one.md`,
  );
  assert.equal(r.code, 0, r.stderr);
  const j: Doc = JSON.parse(r.stdout);
  assert.equal(j.holdings.filter((h) => h.status === "open").length, 1);
  assert.deepEqual(j.charts.files.map((f) => f.name), NAMES.slice(1));
  assert.deepEqual(j.charts.omitted.map((o) => o.name), ["portfolio_correlation"]);
  assert.match(j.charts.omitted[0].reason, /^one open holding \([A-Z]+\/USD\): no pair to correlate$/);
  await assert.rejects(Deno.stat(`${charts}/portfolio_correlation.svg`), Deno.errors.NotFound);
  await assert.rejects(Deno.stat(`${charts}/portfolio_correlation.png`), Deno.errors.NotFound);
  assert.match(
    await Deno.readTextFile(`${dir.path}/one.md`),
    /Correlation of the open holdings: not drawn — one open/,
  );
  const pie = await Deno.readTextFile(`${charts}/portfolio_sectors.svg`);
  assertWellFormedSvg(pie);
  assert.deepEqual(svgTexts(pie, /^ x="360/), [
    `${j.holdings.find((h) => h.status === "open")!.sector} — 100.0%`,
  ]);

  // The human output says it too.
  const t = await runCliCaptured([
    "--config",
    `${root}config/cryptorun.yaml`,
    "--data-dir",
    dir.path,
    "report",
    "--portfolio",
    "--as-of",
    AS_OF,
    "--charts",
    charts,
    "--top",
    "1",
    "--every",
    "24h",
  ], { CRYPTORUN_PERSISTENCE_ENABLED: "false" });
  assert.equal(t.code, 0, t.stderr);
  assert.match(t.stdout, /wrote 3 charts \(svg, png\) to .*\/c\n/);
  assert.match(t.stdout, /chart portfolio_correlation not drawn: one open holding/);
});

Deno.test("report --charts naming a file (not a directory): exit 2 naming the flag and the path, nothing written", async () => {
  await using dir = await tempDir();
  const file = `${dir.path}/not-a-dir`;
  await Deno.writeTextFile(file, "x");
  const out = `${dir.path}/pf.html`;
  const r = await report(`${dir.path}/data`, "--charts", file, "--outfile", out);
  assert.equal(r.code, 2, r.stderr);
  const err = JSON.parse(r.stderr.trim().split("\n").at(-1)!);
  assert.equal(err.message, `--charts: ${JSON.stringify(file)} exists and is not a directory`);
  await assert.rejects(Deno.stat(out), Deno.errors.NotFound);
  assert.equal(await Deno.readTextFile(file), "x");
});
