import assert from "node:assert/strict";
import { parse } from "yaml";
import { enableDefaultMetrics, registry } from "../../src/metrics/registry.ts";
import { dashboardJson, DASHBOARDS } from "../../deploy/grafana/dashboards.ts";
// Importing the serve app loads every module that defines metrics (scheduler, events, handler, health).
import "../../src/serve/app.ts";

const root = new URL("../../", import.meta.url).pathname;

/** Metric names (cryptorun_*) a PromQL expression or dashboard text refers to; recording rules excluded. */
function metricNames(text: string): Set<string> {
  return new Set([...text.matchAll(/\bcryptorun_[a-z0-9_]+/g)].map((m) => m[0]));
}

/** Names /metrics exposes (families plus the _bucket/_sum/_count series of histograms). */
async function exposedNames(): Promise<Set<string>> {
  enableDefaultMetrics();
  const out = new Set<string>();
  for (const m of (await registry.metrics()).matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    out.add(m[1]);
    if (m[2] === "histogram") { for (const s of ["_bucket", "_sum", "_count"]) out.add(m[1] + s); }
  }
  return out;
}

async function promtool(args: string[]): Promise<{ code: number; out: string }> {
  const bin = Deno.env.get("PROMTOOL_BIN");
  assert.ok(bin, "PROMTOOL_BIN is not set (run through `deno task test`)");
  const r = await new Deno.Command(bin, {
    args,
    cwd: `${root}deploy/prometheus`,
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  return { code: r.code, out: new TextDecoder().decode(r.stdout) + new TextDecoder().decode(r.stderr) };
}

Deno.test("every metric used by a dashboard or an alert is exposed by /metrics", async () => {
  const exposed = await exposedNames();
  const files = [
    ...DASHBOARDS.map((d) => `deploy/grafana/${d.file}`),
    "deploy/prometheus/alerts.yml",
  ];
  const missing: string[] = [];
  let used = 0;
  for (const f of files) {
    for (const name of metricNames(await Deno.readTextFile(root + f))) {
      used++;
      if (!exposed.has(name)) missing.push(`${f}: ${name}`);
    }
  }
  assert.ok(used > 30, `only ${used} metric references found: the extraction is broken`);
  assert.deepEqual(missing, []);
  // And the check can fail: a made-up name is caught.
  assert.ok(!exposed.has("cryptorun_made_up_total"));
});

Deno.test("the dashboard JSON files are what deploy/grafana/dashboards.ts generates, and well-formed", async () => {
  const onDisk = [...Deno.readDirSync(`${root}deploy/grafana`)].filter((e) => e.name.endsWith(".json")).map((
    e,
  ) => e.name).sort();
  assert.deepEqual(onDisk, DASHBOARDS.map((d) => d.file).sort());
  const titles = new Set<string>();
  for (const d of DASHBOARDS) {
    const text = await Deno.readTextFile(`${root}deploy/grafana/${d.file}`);
    assert.equal(
      text,
      dashboardJson(d),
      `${d.file} is stale: run deno run --allow-write=deploy/grafana deploy/grafana/dashboards.ts`,
    );
    const j = JSON.parse(text);
    assert.equal(j.uid, d.uid);
    for (const p of j.panels) {
      titles.add(`${d.uid}/${p.title}`);
      assert.ok(
        p.targets.length > 0 && p.targets.every((t: { expr: string }) => /cryptorun_/.test(t.expr)),
        p.title,
      );
      assert.ok(p.gridPos.x + p.gridPos.w <= 24, `${d.file}: ${p.title} fits the grid`);
    }
  }
  // The areas the spec asks for (D2.2).
  const uids = DASHBOARDS.map((d) => d.uid);
  for (const area of ["data-tiers", "scheduler", "premove", "regime", "providers", "errors"]) {
    assert.ok(uids.includes(`cryptorun-${area}`), area);
  }
});

Deno.test("promtool: alert rules and the Prometheus config are valid; alert unit tests pass", async () => {
  const rules = await promtool(["check", "rules", "alerts.yml"]);
  assert.equal(rules.code, 0, rules.out);
  assert.match(rules.out, /SUCCESS: \d+ rules found/);
  const cfg = await promtool(["check", "config", "prometheus.yml"]);
  assert.equal(cfg.code, 0, cfg.out);
  const tests = await promtool(["test", "rules", "alerts_test.yml"]);
  assert.equal(tests.code, 0, tests.out);
});

Deno.test("every alert has a severity, a summary and a runbook anchor that docs/MONITORING.md defines", async () => {
  const doc = await Deno.readTextFile(`${root}docs/MONITORING.md`);
  const y = parse(await Deno.readTextFile(`${root}deploy/prometheus/alerts.yml`));
  const alerts = y.groups.flatMap((g: { rules: Array<Record<string, unknown>> }) => g.rules).filter((
    r: Record<string, unknown>,
  ) => r.alert);
  assert.ok(alerts.length >= 10);
  for (const a of alerts) {
    const ann = a.annotations as Record<string, string>;
    assert.ok((a.labels as Record<string, string>).severity, `${a.alert} severity`);
    assert.ok(ann.summary, `${a.alert} summary`);
    assert.equal(ann.runbook, `docs/MONITORING.md#${String(a.alert).toLowerCase()}`);
    assert.ok(doc.includes(`### ${a.alert}`), `docs/MONITORING.md has a section for ${a.alert}`);
  }
});
