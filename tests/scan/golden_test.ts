import assert from "node:assert/strict";
import { runCliCaptured } from "../helpers/cli.ts";
import { tempDir } from "../helpers/tmp.ts";

/**
 * Golden ranking: the scan as of a fixed time on the shipped fixtures (5 Kraken USD + 25 Binance USDT pairs,
 * the demo profile), through the real path — fixtures → cold tier → PIT window → scan. A change to this file
 * must be explained in CHANGELOG.md. Regenerate (after explaining why): UPDATE_GOLDEN=1 deno task test
 * tests/scan/golden_test.ts
 */
const root = new URL("../../", import.meta.url).pathname;
const GOLDEN = new URL("./golden/ranking_2022-06-15T12.json", import.meta.url);
const AS_OF = "2022-06-15T12:00:00Z";

Deno.test("golden: the demo-profile ranking as of 2022-06-15T12:00Z equals the committed ranking", async () => {
  await using dir = await tempDir();
  const r = await runCliCaptured([
    "--config",
    `${root}config/demo.yaml`,
    "--data-dir",
    dir.path,
    "--json",
    "scan",
    "--as-of",
    AS_OF,
    "--dry-run",
    "--top",
    "100",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  const got = {
    as_of: out.as_of,
    regime: out.regime,
    regime_at: out.regime_at,
    regime_inputs: out.regime_inputs,
    weights: out.weights,
    ranking: out.results.map((x: Record<string, unknown>) => ({
      rank: x.rank,
      symbol: x.symbol,
      venue: x.venue,
      quote: x.quote,
      score: x.score,
      contributions: x.contributions,
      passed: x.passed,
    })),
  };
  if (Deno.env.get("UPDATE_GOLDEN") === "1") {
    await Deno.writeTextFile(GOLDEN, JSON.stringify(got, null, 1) + "\n");
  }
  const want = JSON.parse(await Deno.readTextFile(GOLDEN));
  assert.deepEqual(got, want);
  assert.equal(got.ranking.length, 30);
});
