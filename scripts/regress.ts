/**
 * deno task regress [SUITE…] [--from DIR] [--baselines DIR] [--out DIR]
 * deno task baseline:update [SUITE…]            (= regress --update)
 *
 * The regression gate (spec D3.2). For every baseline artifacts/baselines/<suite>.json (or the SUITEs named),
 * runs its `command` from the repository root — which must print `{"suite","figures":{"<figure>":{"value":n}}}`
 * on stdout (logs on stderr) — or, with --from DIR, reads DIR/<suite>.json instead; compares each figure with
 * its baseline within its tolerance, in its `better` direction; writes the run's figures to
 * <out>/current/<suite>.json and the diff report to <out>/report.md and <out>/report.html (generated, not
 * committed: artifacts/regression/ is in .gitignore), prints the Markdown report, and exits 1 naming each
 * figure that breached, with its baseline and the ratio. A figure the run did not measure is a breach too.
 *
 * --update rewrites each baseline's values (and `updated`) from the run, keeping kinds, tolerances, units and
 * references: the explicit update whose diff shows in review.
 */
import { parseArgs } from "node:util";
import {
  Baseline,
  compare,
  type Comparison,
  describe,
  renderHtml,
  renderMarkdown,
  RunResult,
} from "./lib/baseline.ts";

const ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");

export async function loadBaselines(dir: string, only: string[]): Promise<Baseline[]> {
  const out: Baseline[] = [];
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) if (e.isFile && e.name.endsWith(".json")) names.push(e.name);
  for (const name of names.sort()) {
    const path = `${dir}/${name}`;
    const r = Baseline.safeParse(JSON.parse(await Deno.readTextFile(path)));
    if (!r.success) {
      const i = r.error.issues[0];
      throw new Error(`${path}: ${i.path.join(".") || "(top level)"}: ${i.message}`);
    }
    if (`${r.data.suite}.json` !== name) {
      throw new Error(`${path}: suite "${r.data.suite}" does not match the file name`);
    }
    if (only.length === 0 || only.includes(r.data.suite)) out.push(r.data);
  }
  for (const s of only) if (!out.some((b) => b.suite === s)) throw new Error(`no baseline ${dir}/${s}.json`);
  return out;
}

/** Runs a suite's command; its stdout is the figures JSON (the last line that parses as one). */
export async function runSuite(b: Baseline, cwd: string): Promise<RunResult> {
  console.error(`regress: ${b.suite}: ${b.command}`);
  const r = await new Deno.Command("bash", {
    args: ["-c", b.command],
    cwd,
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!r.success) throw new Error(`${b.suite}: \`${b.command}\` exited ${r.code}`);
  const lines = new TextDecoder().decode(r.stdout).trim().split("\n").reverse();
  for (const l of lines) {
    if (!l.trim().startsWith("{")) continue;
    const p = RunResult.safeParse(JSON.parse(l));
    if (p.success) return p.data;
  }
  throw new Error(`${b.suite}: \`${b.command}\` printed no {"suite","figures":{…}} JSON on stdout`);
}

export function updated(b: Baseline, run: RunResult, today: string): Baseline {
  const figures = Object.fromEntries(
    Object.entries(b.figures).map((
      [k, spec],
    ) => [k, run.figures[k] ? { ...spec, value: run.figures[k].value } : spec]),
  );
  return { ...b, updated: today, figures };
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    options: {
      from: { type: "string" },
      baselines: { type: "string" },
      out: { type: "string" },
      update: { type: "boolean" },
    },
    allowPositionals: true,
  });
  const baseDir = values.baselines ?? `${ROOT}/artifacts/baselines`;
  const outDir = values.out ?? `${ROOT}/artifacts/regression`;
  try {
    const baselines = await loadBaselines(baseDir, positionals);
    const all: Comparison[] = [];
    await Deno.mkdir(`${outDir}/current`, { recursive: true });
    for (const b of baselines) {
      const run = values.from
        ? RunResult.parse(JSON.parse(await Deno.readTextFile(`${values.from}/${b.suite}.json`)))
        : await runSuite(b, ROOT);
      await Deno.writeTextFile(`${outDir}/current/${b.suite}.json`, JSON.stringify(run, null, 2) + "\n");
      if (values.update) {
        const missing = Object.keys(b.figures).filter((k) => !run.figures[k]);
        if (missing.length) throw new Error(`${b.suite}: the run did not measure ${missing.join(", ")}`);
        const nb = updated(b, run, new Date().toISOString().slice(0, 10));
        await Deno.writeTextFile(`${baseDir}/${b.suite}.json`, JSON.stringify(nb, null, 2) + "\n");
        for (const c of compare(b, run)) console.error(`baseline: ${describe(c)} → now ${c.current}`);
        console.error(`baseline: wrote ${baseDir}/${b.suite}.json (review the diff, commit it)`);
        continue;
      }
      all.push(...compare(b, run));
    }
    if (values.update) Deno.exit(0);
    const when = new Date().toISOString();
    const md = renderMarkdown(all, when);
    await Deno.writeTextFile(`${outDir}/report.md`, md);
    await Deno.writeTextFile(`${outDir}/report.html`, renderHtml(all, when));
    console.log(md);
    const bad = all.filter((c) => c.status === "breach" || c.status === "missing");
    for (const c of all.filter((c) => c.status === "improved")) {
      console.error(
        `regress: improved beyond tolerance (run deno task baseline:update ${c.suite}): ${describe(c)}`,
      );
    }
    for (const c of bad) console.error(`regress: BREACH ${describe(c)}`);
    console.error(
      `regress: ${all.length} figures in ${baselines.length} suite(s), ${bad.length} breach(es); report: ${outDir}/report.md, report.html`,
    );
    Deno.exit(bad.length > 0 ? 1 : 0);
  } catch (e) {
    console.error(`regress: ${(e as Error).message}`);
    Deno.exit(2);
  }
}
