// serve with regions.replicate_to (issue 17): the `replicate` job ships every cold table with a snapshot to
// each replica on its schedule and exports cryptorun_replication_lag_seconds{tier="cold",region,source}.
import assert from "node:assert/strict";
import { ColdSection } from "../../src/config/sections/cold.ts";
import { openColdTables } from "../../src/data/cold/store.ts";
import { CLI_PERMISSIONS } from "../helpers/cli.ts";
import { tempDir } from "../helpers/tmp.ts";
import { until } from "../helpers/until.ts";
import { syntheticBars } from "../data/cold/synthetic.ts";

const root = new URL("../../", import.meta.url).pathname;

Deno.test("serve: the replicate job copies the cold tier to regions.replicate_to and exports the lag", async () => {
  await using dir = await tempDir();
  const data = `${dir.path}/data`, replica = `${dir.path}/replica`;
  const D0 = Date.parse("2025-03-01T00:00:00Z");
  const bars = syntheticBars({
    start: D0,
    end: D0 + 2 * 86_400_000,
    stepMs: 3_600_000,
    symbols: ["BTC/USD"],
    seed: 4,
  });
  await openColdTables(ColdSection.parse({}), data).table("ohlcv").write(bars, { format: "csv" });
  await Deno.mkdir(`${dir.path}/config`);
  await Deno.writeTextFile(`${dir.path}/config/cryptorun.yaml`, "{}\n");
  await Deno.writeTextFile(
    `${dir.path}/config/data_sources.yaml`,
    `regions:\n  replicate_to:\n    - { region: eu, path: ${
      JSON.stringify(replica)
    } }\n  replicate_every_s: 3600\n`,
  );
  const serve = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...CLI_PERMISSIONS,
      `${root}main.ts`,
      "--config",
      `${dir.path}/config/cryptorun.yaml`,
      "--data-dir",
      data,
      "--json",
      "serve",
      "--listen",
      "127.0.0.1:0",
    ],
    cwd: root,
    env: { NO_COLOR: "1", CRYPTORUN_PERSISTENCE_ENABLED: "false" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const errText = new Response(serve.stderr).text();
  const reader = serve.stdout.pipeThrough(new TextDecoderStream()).getReader();
  try {
    let out = "";
    while (!out.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      out += value;
    }
    const started = JSON.parse(out.split("\n")[0]);
    assert.deepEqual(started.jobs, ["replicate"]);
    await until("replicate run ok with the lag exported", async () => {
      const body = await (await fetch(`${started.listening}/metrics`)).text();
      return /cryptorun_scheduler_runs_total\{job="replicate",outcome="ok"\} 1/.test(body) &&
        /cryptorun_replication_lag_seconds\{tier="cold",region="eu",source="ohlcv"\} 0/.test(body);
    });
    const copy = openColdTables(ColdSection.parse({}), replica);
    assert.equal((await copy.table("ohlcv").verify()).ok, true);
    const rows = [];
    for await (const r of copy.table("ohlcv").read({ from: 0, to: 8.64e15 })) rows.push(r);
    assert.equal(rows.length, bars.length);
  } finally {
    serve.kill("SIGTERM");
    await serve.status;
    await reader.cancel().catch(() => {});
    await errText;
  }
});
