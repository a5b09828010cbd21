import assert from "node:assert/strict";
import { fetchReferencePrices } from "../../src/providers/aggregator/mod.ts";

/**
 * Aggregator guard (spec C1.3): the gates and the microstructure they consume must never import aggregator
 * code. `deno info --json` gives a module's whole import graph; any module under src/providers/aggregator/
 * in it fails the test.
 */
const ROOT = new URL("../../", import.meta.url).pathname;
const AGG_DIR = `${ROOT}src/providers/aggregator/`;

async function graphOf(entry: string): Promise<string[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as { modules: Array<{ specifier: string }> };
  return info.modules.map((m) => m.specifier);
}

const aggregatorModules = (graph: string[]) => graph.filter((s) => s.startsWith(`file://${AGG_DIR}`));

for (
  const entry of [
    "src/gates/mod.ts",
    "src/market/microstructure.ts",
    "src/data/hot/store.ts",
    "src/market/snapshot.ts",
    "src/ingest/pipeline.ts",
    "src/providers/kraken/venue.ts",
  ]
) {
  Deno.test(`aggregator guard: no aggregator module in the graph of ${entry}`, async () => {
    await Deno.stat(`${ROOT}${entry}`); // the entry must exist: a missing file must fail, not pass vacuously
    const graph = await graphOf(entry);
    assert.ok(graph.length >= 1 && graph.some((s) => s.endsWith(entry)), `graph of ${entry} is empty`);
    assert.deepEqual(aggregatorModules(graph), [], `${entry} reaches aggregator code`);
  });
}

Deno.test("aggregator guard: the check does detect an import of the aggregator entry (control)", async () => {
  const dir = await Deno.makeTempDir({ dir: `${ROOT}tests/providers`, prefix: ".guard-" });
  try {
    const leaky = `${dir}/leaky_gate.ts`;
    await Deno.writeTextFile(
      leaky,
      `export { fetchReferencePrices } from "../../../src/providers/aggregator/mod.ts";\n`,
    );
    const graph = await graphOf(leaky);
    assert.deepEqual(aggregatorModules(graph).map((s) => s.slice(`file://${ROOT}`.length)), [
      "src/providers/aggregator/mod.ts",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("aggregator adapter: parses simple/price from a loopback server; labelled as aggregated", async () => {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    assert.match(req.url, /simple\/price\?ids=bitcoin%2Cethereum&vs_currencies=usd/);
    return Response.json({ bitcoin: { usd: 30300.1 }, ethereum: { usd: 1870.5 } });
  });
  try {
    const prices = await fetchReferencePrices(`http://127.0.0.1:${server.addr.port}`, [
      "bitcoin",
      "ethereum",
    ]);
    assert.deepEqual(prices, [
      { id: "bitcoin", vs: "usd", price: 30300.1, source: "aggregator" },
      { id: "ethereum", vs: "usd", price: 1870.5, source: "aggregator" },
    ]);
  } finally {
    await server.shutdown();
  }
});
