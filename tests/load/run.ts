/**
 * deno task load [--sample] [--json] [--only envelope,serve,cli] [--inject envelope_us=N]
 *
 * Load tests (spec D3.1), loopback only, bounded in count and time: `serve` (/metrics at 10 k series,
 * /readyz, /events with 100 SSE clients) and the CLI paths users run in bulk (`cold dump` windows, `scan`
 * over the universe, `stream publish`), plus the envelope checksum path. Prints a table per target: throughput,
 * p50/p99, CPU, peak RSS, bytes read/written.
 *
 * --sample   the short CI run (≤ 60 s in all): fewer rounds, shorter loads, smaller data
 * --json     the figures for the regression gate on stdout, `{"suite":"load","figures":{…}}` (the tables go to
 *            stderr): what artifacts/baselines/load.json's command runs (docs/CONTRIBUTING.md § Baselines)
 * --inject   deliberate slowdowns to see the gate fail (envelope_us=N: N µs of busy work per envelope)
 */
import { parseArgs } from "node:util";
import type { Target, TargetResult } from "./lib/target.ts";

/** Each target is loaded only when it runs (`--only envelope` loads no server or CLI code). */
export const TARGETS: Record<string, () => Promise<Target>> = {
  envelope: async () => (await import("./targets/envelope.ts")).envelopeTarget,
  serve: async () => (await import("./targets/serve.ts")).serveTarget,
  cli: async () => (await import("./targets/cli.ts")).cliTarget,
};

export function renderTable(r: TargetResult): string {
  const head = `| ${r.columns.join(" | ")} |\n|${r.columns.map(() => " --- ").join("|")}|`;
  const body = r.rows.map((row) => `| ${row.join(" | ")} |`).join("\n");
  const figs = Object.entries(r.figures).map(([k, f]) =>
    `- ${k} = ${Number(f.value.toPrecision(4))} ${f.unit}${
      f.spread !== undefined ? ` (spread ${(f.spread * 100).toFixed(0)}%)` : ""
    }${f.reference ? ` vs ${f.reference}` : ""}`
  );
  return [
    `### ${r.target}: ${r.title}`,
    "",
    head,
    body,
    "",
    ...figs,
    ...(r.notes ?? []).map((n) => `- ${n}`),
    "",
  ].join("\n");
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      sample: { type: "boolean" },
      json: { type: "boolean" },
      only: { type: "string" },
      inject: { type: "string", multiple: true },
      keep: { type: "boolean" },
    },
  });
  const only = values.only ? values.only.split(",") : Object.keys(TARGETS);
  for (const t of only) {
    if (!(t in TARGETS)) {
      console.error(`load: unknown target ${JSON.stringify(t)} (one of ${Object.keys(TARGETS).join(", ")})`);
      Deno.exit(2);
    }
  }
  const inject: Record<string, number> = {};
  for (const kv of (values.inject ?? []).flatMap((s) => s.split(","))) {
    const m = /^([a-z_]+)=(\d+(?:\.\d+)?)$/.exec(kv);
    if (!m) {
      console.error(`load: --inject: expected name=number, found ${JSON.stringify(kv)}`);
      Deno.exit(2);
    }
    inject[m[1]] = Number(m[2]);
  }
  const print = values.json ? (s: string) => console.error(s) : (s: string) => console.log(s);
  const dir = await Deno.makeTempDir({ prefix: "cryptorun-load-" });
  const t0 = performance.now();
  const figures: Record<string, unknown> = {};
  try {
    for (const name of only) {
      const t = performance.now();
      const r = await (await TARGETS[name]())({
        sample: !!values.sample,
        inject,
        dir,
        log: (l) => console.error(`load: ${l}`),
      });
      print(renderTable(r) + `\n(${((performance.now() - t) / 1000).toFixed(1)} s)\n`);
      Object.assign(figures, r.figures);
    }
  } finally {
    if (!values.keep) await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  const secs = (performance.now() - t0) / 1000;
  console.error(
    `load: ${only.join(", ")} in ${secs.toFixed(1)} s (${values.sample ? "sample" : "full"}; load average ${
      Deno.loadavg().map((x) => x.toFixed(1)).join(" ")
    })`,
  );
  if (values.json) {
    console.log(
      JSON.stringify({ suite: "load", measured: new Date().toISOString(), seconds: secs, figures }),
    );
  }
}
