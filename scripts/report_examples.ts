/**
 * deno run -A scripts/report_examples.ts [--out artifacts/reports] — regenerates the example reports from the
 * shipped fixtures, deterministically (spec D1 acceptance): `cryptorun report --performance` over the whole
 * Kraken fixture history (2022-01-01 → 2022-07-01, report defaults, persistence off, a fresh temp data dir) as
 * perf_report.md, .csv, .json and .html, plus every chart as SVG and PNG under charts/; and `cryptorun report
 * --portfolio` as of EXAMPLE_AS_OF as portfolio_report.md, .csv and .html with its charts (charts/portfolio_*;
 * no .json: its chart paths name the output directory). The same code and fixtures give byte-identical files
 * (tests/report/examples_test.ts).
 */
import { parseArgs } from "node:util";
import { runCli } from "../src/cli/run.ts";

export const EXAMPLE_WINDOW = ["--from", "2022-01-01T00:00:00Z", "--to", "2022-07-01T00:00:00Z"];
/** The portfolio example's as-of: four open holdings in three sectors. */
export const EXAMPLE_AS_OF = "2022-03-15T12:00:00Z";

export async function writeExamples(out: string): Promise<void> {
  const data = await Deno.makeTempDir({ prefix: "cryptorun-report-examples-" });
  try {
    await Deno.mkdir(out, { recursive: true });
    const runs = [
      ...["md", "csv", "json", "html"].map((
        fmt,
      ) => ["--performance", ...EXAMPLE_WINDOW, "--outfile", `${out}/perf_report.${fmt}`]),
      ...["md", "csv", "html"].map((
        fmt,
      ) => ["--portfolio", "--as-of", EXAMPLE_AS_OF, "--outfile", `${out}/portfolio_report.${fmt}`]),
    ];
    for (const run of runs) {
      const fmt = run.at(-1);
      const err: string[] = [];
      const code = await runCli([
        "--data-dir",
        data,
        "--quiet",
        "report",
        ...run,
        "--charts",
        `${out}/charts`,
      ], {
        stdout: () => {},
        stderr: (l) => err.push(l),
        stderrIsTty: false,
        env: { CRYPTORUN_PERSISTENCE_ENABLED: "false" },
      });
      if (code !== 0) throw new Error(`report (${fmt}) exited ${code}: ${err.join("\n")}`);
    }
  } finally {
    await Deno.remove(data, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { out: { type: "string", default: "artifacts/reports" } } });
  await writeExamples(values.out!);
  console.log(`wrote the example reports to ${values.out}`);
}
