// The light metric handles (src/metrics/metrics.ts): updates made before prom-client is loaded reach /metrics.
import assert from "node:assert/strict";
import { coldRowsTotal, l2SnapshotAge } from "../../src/metrics/metrics.ts";
import { registry } from "../../src/metrics/registry.ts";

const root = new URL("../../", import.meta.url).pathname;

Deno.test("metric handles: recorded before the registry loads → replayed (counters summed, gauges' last value)", async () => {
  // A fresh process, so that the registry really is loaded after the updates.
  const script = `
    import { coldRowsTotal, l2SnapshotAge } from "${root}src/metrics/metrics.ts";
    coldRowsTotal.inc({ op: "read", format: "csv" }, 5);
    coldRowsTotal.inc({ format: "csv", op: "read" }, 2);
    coldRowsTotal.inc({ op: "write", format: "csv" }, 0);
    l2SnapshotAge.set({ provider: "kraken", symbol: "BTC/USD" }, 9);
    l2SnapshotAge.set({ provider: "kraken", symbol: "BTC/USD" }, 3);
    const { registry } = await import("${root}src/metrics/registry.ts");
    coldRowsTotal.inc({ op: "read", format: "csv" }, 1);
    console.log(await registry.getSingleMetricAsString("cryptorun_cold_rows_total"));
    console.log(await registry.getSingleMetricAsString("cryptorun_l2_snapshot_age_seconds"));
  `;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", script],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  assert.match(text, /^cryptorun_cold_rows_total\{op="read",format="csv"\} 8$/m);
  assert.match(text, /^cryptorun_cold_rows_total\{op="write",format="csv"\} 0$/m);
  assert.match(text, /^cryptorun_l2_snapshot_age_seconds\{provider="kraken",symbol="BTC\/USD"\} 3$/m);
});

Deno.test("metric handles: once the registry is loaded, updates go straight through", async () => {
  const before = (await parquetReads()) ?? 0;
  coldRowsTotal.inc({ op: "read", format: "parquet" }, 4);
  assert.equal(await parquetReads(), before + 4);
  l2SnapshotAge.set({ provider: "kraken", symbol: "ETH/USD" }, 1.5);
  assert.match(
    await registry.getSingleMetricAsString("cryptorun_l2_snapshot_age_seconds"),
    /symbol="ETH\/USD"\} 1\.5$/m,
  );
});

async function parquetReads(): Promise<number | undefined> {
  const m = await registry.getSingleMetricAsString("cryptorun_cold_rows_total");
  const line = m.split("\n").find((l) =>
    l.startsWith('cryptorun_cold_rows_total{op="read",format="parquet"}')
  );
  return line === undefined ? undefined : Number(line.split(" ").pop());
}
