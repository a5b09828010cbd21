import assert from "node:assert/strict";
import { type Baseline, compare, describe, renderHtml, renderMarkdown } from "../../scripts/lib/baseline.ts";
import { loadBaselines, updated } from "../../scripts/regress.ts";
import { tempDir } from "../helpers/tmp.ts";

const ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

const BASE: Baseline = {
  suite: "synth",
  updated: "2026-12-04",
  command: "cat current.json",
  figures: {
    "x.cpu_vs_ref": {
      value: 1.6,
      kind: "ratio",
      tolerance_rel: 0.5,
      unit: "×",
      better: "lower",
      reference: "the reference",
    },
    "x.rows": { value: 1500, kind: "quality", unit: "rows", better: "higher" },
    "x.hit_rate": { value: 0.55, kind: "quality", tolerance_abs: 0.01, unit: "", better: "higher" },
  },
};
const run = (cpu: number, rows = 1500, hit = 0.55) => ({
  suite: "synth",
  figures: { "x.cpu_vs_ref": { value: cpu }, "x.rows": { value: rows }, "x.hit_rate": { value: hit } },
});

Deno.test("regress: a figure breaches only beyond its tolerance in its worse direction", () => {
  const st = (r: ReturnType<typeof run>) => compare(BASE, r).map((c) => c.status);
  assert.deepEqual(st(run(1.6)), ["ok", "ok", "ok"]);
  assert.deepEqual(st(run(2.4)), ["ok", "ok", "ok"]); // +50% is the edge
  assert.deepEqual(st(run(2.41)), ["breach", "ok", "ok"]);
  assert.deepEqual(st(run(0.7)), ["improved", "ok", "ok"]);
  assert.deepEqual(st(run(1.6, 1499)), ["ok", "breach", "ok"]); // quality without tolerance: exact
  assert.deepEqual(st(run(1.6, 1501, 0.539)), ["ok", "improved", "breach"]);
  const missing = compare(BASE, { suite: "synth", figures: {} });
  assert.deepEqual(missing.map((c) => c.status), ["missing", "missing", "missing"]);
});

Deno.test("regress: a breach names the figure, its baseline and the ratio", () => {
  const [c] = compare(BASE, run(3.2));
  assert.equal(
    describe(c),
    "synth/x.cpu_vs_ref = 3.2 × vs baseline 1.6 (ratio 2×; tolerance 50%, lower is better)",
  );
  const md = renderMarkdown(compare(BASE, run(3.2)), "now");
  assert.match(
    md,
    /\| 🔴 BREACH \| synth \| `x\.cpu_vs_ref` \| 1\.6 × \| 3\.2 \| 2× \| 50% \| lower \| the reference \|/,
  );
  assert.match(md, /\| 🟢 ok \| synth \| `x\.rows` \|/);
  const html = renderHtml(compare(BASE, run(3.2)), "now");
  assert.match(html, /color:#cf222e;font-weight:bold">🔴 BREACH/);
  assert.match(html, /color:#1a7f37;font-weight:bold">🟢 ok/);
});

async function gate(dir: string, args: string[]) {
  const r = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      `${ROOT}/scripts/regress.ts`,
      "--baselines",
      `${dir}/baselines`,
      "--out",
      `${dir}/out`,
      ...args,
    ],
    cwd: dir,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: r.code, out: dec.decode(r.stdout), err: dec.decode(r.stderr) };
}

Deno.test("regress: the gate runs each baseline's command, fails on a slowdown, passes when reverted, and updates explicitly", async () => {
  await using dir = await tempDir();
  await Deno.mkdir(`${dir.path}/baselines`);
  // The suite's command runs from the repository root: point it at this test's file.
  const base = { ...BASE, command: `cat ${dir.path}/current.json` };
  await Deno.writeTextFile(`${dir.path}/baselines/synth.json`, JSON.stringify(base));
  await Deno.writeTextFile(`${dir.path}/current.json`, "log line\n" + JSON.stringify(run(3.0)) + "\n");
  const slow = await gate(dir.path, []);
  assert.equal(slow.code, 1, slow.err);
  assert.match(
    slow.err,
    /regress: BREACH synth\/x\.cpu_vs_ref = 3 × vs baseline 1\.6 \(ratio 1\.875×; tolerance 50%, lower is better\)/,
  );
  assert.match(slow.err, /3 figures in 1 suite\(s\), 1 breach\(es\)/);
  assert.match(await Deno.readTextFile(`${dir.path}/out/report.md`), /🔴 BREACH/);
  assert.match(await Deno.readTextFile(`${dir.path}/out/report.html`), /<table>/);
  assert.deepEqual(JSON.parse(await Deno.readTextFile(`${dir.path}/out/current/synth.json`)), run(3.0));

  await Deno.writeTextFile(`${dir.path}/current.json`, JSON.stringify(run(1.7)));
  const reverted = await gate(dir.path, []);
  assert.equal(reverted.code, 0, reverted.err);
  assert.doesNotMatch(reverted.out, /BREACH/);

  // A figure the run did not measure fails too.
  await Deno.writeTextFile(
    `${dir.path}/current.json`,
    JSON.stringify({ suite: "synth", figures: { "x.rows": { value: 1500 } } }),
  );
  const missing = await gate(dir.path, []);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /BREACH synth\/x\.cpu_vs_ref: not measured by this run \(baseline 1\.6 ×\)/);

  // --from reads the figures instead of running the command; --update rewrites values only.
  await Deno.mkdir(`${dir.path}/from`);
  await Deno.writeTextFile(`${dir.path}/from/synth.json`, JSON.stringify(run(1.9, 1500, 0.6)));
  const up = await gate(dir.path, ["--from", `${dir.path}/from`, "--update", "synth"]);
  assert.equal(up.code, 0, up.err);
  const nb = JSON.parse(await Deno.readTextFile(`${dir.path}/baselines/synth.json`));
  assert.deepEqual(nb.figures["x.cpu_vs_ref"], { ...BASE.figures["x.cpu_vs_ref"], value: 1.9 });
  assert.equal(nb.figures["x.hit_rate"].value, 0.6);
  assert.match(nb.updated, /^\d{4}-\d{2}-\d{2}$/);
  assert.deepEqual(updated(BASE, run(1.6), "2027-01-01").figures, BASE.figures);

  // A baseline that does not follow the format is refused, naming the field.
  await Deno.writeTextFile(
    `${dir.path}/baselines/synth.json`,
    JSON.stringify({ ...base, updated: "04.12.2026" }),
  );
  const bad = await gate(dir.path, []);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /synth\.json: updated: expected YYYY-MM-DD/);
});

Deno.test("regress: every committed baseline follows the shared format", async () => {
  const all = await loadBaselines(`${ROOT}/artifacts/baselines`, []);
  assert.ok(all.some((b) => b.suite === "load"));
  for (const b of all) {
    for (const [k, f] of Object.entries(b.figures)) {
      // Timing figures are ratios to a reference of the same run, never absolute times.
      if (f.kind === "ratio") assert.ok(f.reference, `${b.suite}/${k}: a ratio names its reference`);
      assert.doesNotMatch(f.unit, /^(ms|s|µs|ns)$/, `${b.suite}/${k}: no absolute times`);
    }
  }
});

const LOAD = ["run", "-A", `${ROOT}/tests/load/run.ts`, "--sample", "--only", "envelope", "--json"];

Deno.test("regress: a deliberate slowdown in the envelope checksum fails the real gate naming figure, baseline and ratio", async () => {
  await using dir = await tempDir();
  const measureTo = async (file: string, extra: string[]) => {
    const r = await new Deno.Command(Deno.execPath(), {
      args: [...LOAD, ...extra],
      stdout: "piped",
      stderr: "null",
    }).output();
    assert.ok(r.success);
    await Deno.writeTextFile(file, new TextDecoder().decode(r.stdout));
  };
  // Only the envelope figure of the committed load baseline (the other figures come from other targets).
  const load = JSON.parse(await Deno.readTextFile(`${ROOT}/artifacts/baselines/load.json`));
  const fig = "envelope.build_vs_raw_blake3";
  await Deno.mkdir(`${dir.path}/baselines`);
  await Deno.writeTextFile(
    `${dir.path}/baselines/load.json`,
    JSON.stringify({ ...load, figures: { [fig]: load.figures[fig] } }),
  );
  await Deno.mkdir(`${dir.path}/slow`);
  // 60 µs of busy work per envelope: several times what building one costs.
  await measureTo(`${dir.path}/slow/load.json`, ["--inject", "envelope_us=60"]);
  const slow = await gate(dir.path, ["--from", `${dir.path}/slow`]);
  assert.equal(slow.code, 1, slow.err);
  assert.match(
    slow.err,
    new RegExp(
      `BREACH load/${fig.replaceAll(".", "\\.")} = [\\d.]+ × vs baseline ${
        load.figures[fig].value
      } \\(ratio [\\d.]+×`,
    ),
  );
  // The reverted (clean) code passing the same gate is not re-measured here: that would make this test a timed
  // one. It is what `deno task regress` proves on every CI run against the committed baseline (.ci/run), and
  // the synthetic test above proves the comparison itself on fixed numbers.
});
