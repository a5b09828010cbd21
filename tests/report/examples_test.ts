import assert from "node:assert/strict";
import { writeExamples } from "../../scripts/report_examples.ts";
import { tempDir } from "../helpers/tmp.ts";

const committed = new URL("../../artifacts/reports/", import.meta.url).pathname;

async function files(dir: string, sub = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(`${dir}/${sub}`)) {
    if (e.isDirectory) out.push(...await files(dir, `${sub}${e.name}/`));
    else out.push(`${sub}${e.name}`);
  }
  return out.sort();
}

/**
 * The example reports in artifacts/reports/ are what scripts/report_examples.ts generates from the shipped
 * fixtures, byte for byte (md, csv, json, html, every chart's SVG and PNG): deterministic, and not stale.
 */
Deno.test("artifacts/reports: regenerating the example reports gives the committed files byte for byte", async () => {
  await using dir = await tempDir();
  await writeExamples(dir.path);
  const names = await files(dir.path);
  assert.deepEqual(names, await files(committed));
  assert.ok(names.includes("charts/equity.png") && names.includes("perf_report.html"), names.join(","));
  for (const n of names) {
    assert.deepEqual(
      await Deno.readFile(`${dir.path}/${n}`),
      await Deno.readFile(`${committed}/${n}`),
      `${n} differs: run deno run -A scripts/report_examples.ts and commit artifacts/reports/`,
    );
  }
});
