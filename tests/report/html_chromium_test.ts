import assert from "node:assert/strict";
import { openInChromium } from "../helpers/chromium.ts";
import { runCliCaptured } from "../helpers/cli.ts";
import { tempDir } from "../helpers/tmp.ts";

const root = new URL("../../", import.meta.url).pathname;
/** Where the screenshot is kept (generated, git-ignored). */
const SHOTS = `${root}artifacts/screenshots`;

/** Writes a report with `argv` to `out`, checks it is self-contained with `svgs` inline charts, opens it. */
async function openReport(
  o: { dataDir: string; out: string; argv: string[]; svgs: number; title: RegExp; shot: string },
): Promise<void> {
  const r = await runCliCaptured([
    "--config",
    `${root}config/cryptorun.yaml`,
    "--data-dir",
    o.dataDir,
    "report",
    ...o.argv,
    "--outfile",
    o.out,
  ], { CRYPTORUN_PERSISTENCE_ENABLED: "false" });
  assert.equal(r.code, 0, r.stderr);
  const html = await Deno.readTextFile(o.out);
  assert.doesNotMatch(html, /<script|src="|href="http/, "self-contained: no script, nothing fetched");
  assert.equal((html.match(/<svg /g) ?? []).length, o.svgs, `${o.svgs} charts inline`);
  const page = await openInChromium(`file://${o.out}`);
  assert.deepEqual(page.errors, []);
  assert.match(page.title, o.title);
  assert.deepEqual([...page.screenshot.slice(0, 4)], [137, 80, 78, 71]);
  await Deno.mkdir(SHOTS, { recursive: true });
  await Deno.writeFile(`${SHOTS}/${o.shot}`, page.screenshot);
}

Deno.test("the HTML report opens in headless chromium with no console error; a screenshot is kept", async () => {
  await using dir = await tempDir();
  await openReport({
    dataDir: dir.path,
    out: `${dir.path}/perf.html`,
    argv: ["--performance", "--from", "2022-02-01T00:00:00Z", "--to", "2022-04-01T00:00:00Z"],
    svgs: 5,
    title: /CryptoRun performance report/,
    shot: "perf_report_html.png",
  });
});

Deno.test("the portfolio HTML report opens in headless chromium with no console error, its charts inline; a screenshot is kept", async () => {
  await using dir = await tempDir();
  await openReport({
    dataDir: dir.path,
    out: `${dir.path}/portfolio.html`,
    argv: ["--portfolio", "--as-of", "2022-05-10T12:00:00Z"],
    svgs: 4,
    title: /CryptoRun portfolio report/,
    shot: "portfolio_report_html.png",
  });
});

Deno.test("the console check can fail: a page that logs an error and throws is reported", async () => {
  await using dir = await tempDir();
  const bad = `${dir.path}/bad.html`;
  await Deno.writeTextFile(
    bad,
    `<!DOCTYPE html><title>x</title><script>console.error("boom"); undefinedFn();</script>`,
  );
  const page = await openInChromium(`file://${bad}`);
  assert.ok(page.errors.some((e) => e.includes("boom")), page.errors.join("; "));
  assert.ok(page.errors.some((e) => e.includes("undefinedFn")), page.errors.join("; "));
});
