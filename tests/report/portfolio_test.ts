import assert from "node:assert/strict";
import { runCliCaptured } from "../helpers/cli.ts";
import { tempDir } from "../helpers/tmp.ts";

const root = new URL("../../", import.meta.url).pathname;
const cfg = ["--config", `${root}config/cryptorun.yaml`];

Deno.test("report --portfolio: holdings entered within the hold before --as-of, sectors, beta, correlation, exit status", async () => {
  await using dir = await tempDir();
  const run = (...a: string[]) =>
    runCliCaptured([...cfg, "--data-dir", dir.path, "--json", "report", "--portfolio", ...a], {
      CRYPTORUN_PERSISTENCE_ENABLED: "false",
    });
  const r = await run("--as-of", "2022-05-10T12:00:00Z");
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  const asOf = Date.parse("2022-05-10T12:00:00Z");
  assert.equal(j.as_of, "2022-05-10T12:00:00.000Z");
  assert.ok(j.holdings.length > 0);
  for (const h of j.holdings) {
    const entry = Date.parse(h.entry_ts);
    assert.ok(entry > asOf - 24 * 3_600_000 && entry <= asOf, h.entry_ts);
    assert.equal(Date.parse(h.hold_until), entry + 24 * 3_600_000);
    assert.ok(["open", "closed: hold", "closed: stop"].includes(h.status), h.status);
    if (h.status === "open") assert.ok(Date.parse(h.hold_until) > asOf);
    assert.notEqual(h.sector, "");
    assert.ok(h.beta_vs_btc === null || Number.isFinite(h.beta_vs_btc));
  }
  const open = j.holdings.filter((h: { status: string }) => h.status === "open").map((
    h: { symbol: string },
  ) => h.symbol);
  assert.deepEqual(j.correlation.names, [...new Set<string>(open)].sort());
  const m = j.correlation.matrix;
  for (let i = 0; i < m.length; i++) for (let k = 0; k < m.length; k++) assert.equal(m[i][k], m[k][i]);
  // The correlation alert agrees with the matrix.
  const above = m.flatMap((row: number[], i: number) => row.filter((x, k) => k > i && x > 0.65)).length;
  assert.equal(j.alerts.filter((a: { rule: string }) => a.rule === "pair_corr_above_max").length, above);

  // Usage errors.
  for (
    const [a, re] of [
      [["--from", "2022-01-01"], /--portfolio: --from applies to --performance only/],
      [["--as-of", "yesterday"], /--as-of: /],
    ] as [string[], RegExp][]
  ) {
    const bad = await run(...a);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, re);
  }
  const both = await runCliCaptured([...cfg, "report", "--portfolio", "--performance"]);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /choose one/);
});
