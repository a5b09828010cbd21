/**
 * Every alert (deploy/prometheus/alerts.yml) and every Grafana panel query (deploy/grafana/*.json) watches a
 * series that a running process really emits — checked on the scrape of a realistic run, not on the registry:
 * `serve --with-ingest --with-scan` (src/serve/app.ts, the code behind the command) against loopback fakes of
 * Kraken's REST API and WebSocket, on the shipped fixtures, with an SSE client on /events. A metric that is
 * registered but never set fails here exactly like one that is missing.
 *
 * What "populated" means: for each selector `metric{matchers}` of an expression (recording rules expanded to
 * their own selectors), some sample on /metrics has that name and satisfies every positive matcher (`=`,
 * `=~`). Negative matchers (`!=`, `!~`) select error cases (e.g. non-2xx codes), which a healthy run need not
 * produce; the label matchers on Prometheus' own target labels (`instance`, `job`) are not the process's.
 */
import assert from "node:assert/strict";
import { parse } from "yaml";
import { DASHBOARDS } from "../../deploy/grafana/dashboards.ts";
import { loadConfig } from "../../src/config/load.ts";
import type { DoorMetrics } from "../../src/data/door/door.ts";
import { nullLogger } from "../../src/log/logger.ts";
import { registry } from "../../src/metrics/registry.ts";
import { runServe } from "../../src/serve/app.ts";
import { tempDir } from "../helpers/tmp.ts";
import { until } from "../helpers/until.ts";
import { startFakeKrakenRest } from "../providers/kraken/fake_kraken_rest.ts";
import { startFakeKraken } from "../providers/kraken/fake_kraken_ws.ts";

const root = new URL("../../", import.meta.url).pathname;

interface Matcher {
  label: string;
  op: "=" | "!=" | "=~" | "!~";
  value: string;
}
interface Selector {
  /** Which alert or panel uses it. */
  user: string;
  metric: string;
  matchers: Matcher[];
}

const TARGET_LABELS = new Set(["instance", "job"]);

/** Parses `{a="x", b=~"y"}` (PromQL label matchers). */
function matchersOf(text: string | undefined): Matcher[] {
  if (!text) return [];
  return [...text.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g)].map((m) => ({
    label: m[1],
    op: m[2] as Matcher["op"],
    value: m[3].replace(/\\(.)/g, "$1"),
  }));
}

/** The metric selectors of one PromQL expression, recording rules (`a:b:c`) replaced by their own selectors. */
function selectorsOf(expr: string, user: string, rules: Map<string, string>): Selector[] {
  const out: Selector[] = [];
  // A metric name, not a label value (`up{job="cryptorun"}`).
  for (const m of expr.matchAll(/(?<![\w"])(cryptorun[a-z0-9_:]*)(\{[^}]*\})?/g)) {
    const matchers = matchersOf(m[2]);
    const rule = rules.get(m[1]);
    if (rule !== undefined) {
      // The rule keeps the labels the alert filters on (sum by (instance, component, le)): apply them below.
      for (const s of selectorsOf(rule, user, rules)) {
        out.push({ ...s, matchers: [...s.matchers, ...matchers] });
      }
    } else {
      out.push({ user, metric: m[1], matchers });
    }
  }
  return out;
}

function allSelectors(): Selector[] {
  const y = parse(Deno.readTextFileSync(`${root}deploy/prometheus/alerts.yml`));
  const rules = y.groups.flatMap((g: { rules: Array<Record<string, string>> }) => g.rules);
  const recorded = new Map<string, string>(
    rules.filter((r: Record<string, string>) => r.record).map((
      r: Record<string, string>,
    ) => [r.record, r.expr]),
  );
  const out: Selector[] = [];
  for (const r of rules.filter((r: Record<string, string>) => r.alert)) {
    out.push(...selectorsOf(r.expr, `alert ${r.alert}`, recorded));
  }
  for (const d of DASHBOARDS) {
    for (const p of d.panels) {
      for (const t of p.targets) out.push(...selectorsOf(t.expr, `panel ${d.uid}/${p.title}`, recorded));
    }
  }
  return out;
}

interface Sample {
  name: string;
  labels: Record<string, string>;
}

/** The samples of a Prometheus text exposition (comments skipped). */
export function samplesOf(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+\S+/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of matchersOf(m[2])) labels[l.label] = l.value;
    out.push({ name: m[1], labels });
  }
  return out;
}

function satisfies(s: Sample, m: Matcher): boolean {
  const v = s.labels[m.label] ?? "";
  if (m.op === "=") return v === m.value;
  if (m.op === "=~") return new RegExp(`^(?:${m.value})$`).test(v);
  return true; // negative matchers: see the module comment
}

/** "user: selector" for every selector no sample populates (sorted, unique). */
export function unpopulated(selectors: Selector[], scrape: string): string[] {
  const samples = samplesOf(scrape);
  const missing = new Set<string>();
  for (const sel of selectors) {
    const need = sel.matchers.filter((m) => !TARGET_LABELS.has(m.label) && (m.op === "=" || m.op === "=~"));
    const ok = samples.some((s) => s.name === sel.metric && need.every((m) => satisfies(s, m)));
    if (!ok) {
      const shown = need.map((m) => `${m.label}${m.op}"${m.value}"`).join(",");
      missing.add(`${sel.user}: ${sel.metric}${shown ? `{${shown}}` : ""}`);
    }
  }
  return [...missing].sort();
}

/**
 * One realistic run of `serve --with-ingest --with-scan`: Kraken fakes on loopback (the WebSocket serves
 * XMR/USD only, so OMG/USD's book falls through to the warm tier's REST Depth — the cascade in action), the
 * embedded database, the file stream, the shipped fixtures bootstrapped into the cold tier, an SSE client.
 * Scrapes /metrics until `done(scrape)` or a deadline (generous: not a timing assertion, only a bound for a
 * broken build; the first embedded-database open alone can take tens of seconds on a loaded machine); returns
 * the last scrape, which the caller judges.
 */
async function realisticRun(
  done: (scrape: string) => boolean,
  doorMetrics?: Partial<DoorMetrics>,
): Promise<string> {
  await using dir = await tempDir();
  const rest = startFakeKrakenRest({ formingAt: Date.now() });
  const ws = startFakeKraken({ pairs: ["XMR/USD"], batch: 1, paceMs: 20 });
  const env = {
    CRYPTORUN_KRAKEN_REST_BASE_URL: rest.url,
    CRYPTORUN_KRAKEN_WS_URL: ws.url,
    CRYPTORUN_KRAKEN_SYMBOLS: "XMR/USD,OMG/USD",
    CRYPTORUN_KRAKEN_BOOK_DEPTH: "1000",
    CRYPTORUN_KRAKEN_HOT_SNAPSHOT_INTERVAL_MS: "100",
    CRYPTORUN_KRAKEN_MAX_RETRIES: "0",
    CRYPTORUN_HEALTH_REFRESH_MS: "500",
  };
  const { config } = await loadConfig({ configPath: "/nonexistent/cryptorun.yaml", env });
  // A clean registry: other test files in this process recorded into the same one.
  registry.resetMetrics();
  const stop = new AbortController();
  let url = "";
  const served = runServe({
    config,
    dataDir: dir.path,
    env,
    log: nullLogger,
    signal: stop.signal,
    listen: { hostname: "127.0.0.1", port: 0 },
    version: "0.0.0-test",
    ingestEveryMs: 2_000,
    scanEveryMs: 2_000,
    doorMetrics,
    onListening: (info) => (url = info.url),
  });
  let events: Response | undefined;
  let last = "";
  try {
    await until("serve listening", () => url !== "");
    events = await fetch(`${url}/events`);
    const reader = events.body!.getReader();
    void (async () => {
      while (!(await reader.read().catch(() => ({ done: true }))).done) { /* drain */ }
    })();
    await until("every watched series", async () => {
      last = await (await fetch(`${url}/metrics`)).text();
      return done(last);
    }, { deadlineMs: 240_000, intervalMs: 500 }).catch(() => {});
  } finally {
    await events?.body?.cancel().catch(() => {});
    stop.abort();
    await served;
    await ws.close();
    await rest.close();
  }
  return last;
}

const SELECTORS = allSelectors();

Deno.test("alerts and dashboards: every series they watch is emitted by a realistic serve run", async () => {
  assert.ok(SELECTORS.length > 40, `${SELECTORS.length} selectors: the extraction is broken`);
  const scrape = await realisticRun((s) => unpopulated(SELECTORS, s).length === 0);
  assert.deepEqual(unpopulated(SELECTORS, scrape), []);
  // The data door's series, by tier, as the run produced them: the cascade was exercised.
  const s = samplesOf(scrape);
  for (const tier of ["hot", "warm", "cold"]) {
    assert.ok(s.some((x) => x.name === "cryptorun_cache_hit_ratio" && x.labels.tier === tier), tier);
  }
});

Deno.test("alerts and dashboards: the check fails when one emitter is taken out (the door's hit ratio)", async () => {
  const expected = SELECTORS.filter((s) => s.metric === "cryptorun_cache_hit_ratio").map((s) => s.user);
  assert.ok(expected.length >= 2, "an alert and a panel watch the hit ratio");
  // The same run with the door's cache_hit_ratio emitter replaced by nothing (a seam of runServe).
  const scrape = await realisticRun(
    (s) =>
      unpopulated(SELECTORS, s).every((m) => m.includes("cryptorun_cache_hit_ratio")) &&
      samplesOf(s).some((x) => x.name === "cryptorun_tier_lookups_total" && x.labels.outcome === "hit"),
    { hitRatio: () => {} },
  );
  const missing = unpopulated(SELECTORS, scrape);
  assert.deepEqual(
    [...new Set(missing.map((m) => m.slice(0, m.indexOf(": "))))].sort(),
    [...new Set(expected)].sort(),
  );
  // Registered but never set counts as missing too: /metrics still describes the family.
  assert.match(scrape, /^# TYPE cryptorun_cache_hit_ratio gauge$/m);
  assert.doesNotMatch(scrape, /^cryptorun_cache_hit_ratio\{/m);
});

Deno.test("the selector check itself: matchers, recording rules, target labels", () => {
  const rules = new Map([[
    "cryptorun:x:p99",
    "histogram_quantile(0.99, sum by (le, component) (rate(cryptorun_lat_bucket[5m])))",
  ]]);
  const sels = [
    ...selectorsOf('cryptorun:x:p99{component=~"scan.*"} > 1', "alert A", rules),
    ...selectorsOf(
      'sum(rate(cryptorun_req_total{code!~"2..",instance=~"$instance"}[5m])) / cryptorun_up',
      "panel B",
      rules,
    ),
  ];
  const scrape = [
    "# TYPE cryptorun_lat histogram",
    'cryptorun_lat_bucket{component="scan",le="+Inf"} 3',
    'cryptorun_req_total{code="200"} 9',
  ].join("\n");
  assert.deepEqual(unpopulated(sels, scrape), ["panel B: cryptorun_up"]);
  assert.deepEqual(unpopulated(sels, scrape.replace('component="scan"', 'component="db"')), [
    'alert A: cryptorun_lat_bucket{component=~"scan.*"}',
    "panel B: cryptorun_up",
  ]);
});
