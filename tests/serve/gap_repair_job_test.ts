// serve --with-ingest's gap_repair job (issue 18) closes the holes of its 1-minute bars after a restart with
// the code of `backfill --gaps`: run against a data dir with holes and the loopback Kraken, it leaves the
// cold tier equal to an uninterrupted backfill; a second run asks the venue nothing.
import assert from "node:assert/strict";
import { loadConfig } from "../../src/config/load.ts";
import { createDbLease } from "../../src/health/db_lease.ts";
import { nullLogger } from "../../src/log/logger.ts";
import { gapRepairJob } from "../../src/serve/jobs.ts";
import { tempDir } from "../helpers/tmp.ts";
import { recordedBtcTrades, startFakeKraken, syntheticEthTrades } from "../backfill/fake_trades_server.ts";
import { barsOfDir, krakenEnv, refAndHoles, TO } from "../backfill/gap_fixture.ts";

Deno.test("serve gap_repair job: a restart's holes in the 1-minute bars are refilled from Trades", async () => {
  await using srv = startFakeKraken({
    trades: { XBTUSD: recordedBtcTrades(), ETHUSD: syntheticEthTrades() },
    pageSize: 250,
  });
  await using tmp = await tempDir();
  const { holes, want } = await refAndHoles(tmp.path, srv.url);
  const env = krakenEnv(srv.url, { CRYPTORUN_KRAKEN_SYMBOLS: "BTC/USD,ETH/USD" });
  const { config } = await loadConfig({ configPath: "/nonexistent/cryptorun.yaml", env });
  const ctx = { config, dataDir: holes, env, log: nullLogger, dbLease: createDbLease() };
  // "Now" is the end of the recorded day: the 7-day lookback covers it.
  const run = gapRepairJob(ctx, () => Date.parse(TO));
  const served = srv.served;
  await run(AbortSignal.timeout(120_000));
  assert.ok(srv.served > served, "the holes were asked for");
  assert.deepEqual(await barsOfDir(holes), want);
  const served2 = srv.served;
  await run(AbortSignal.timeout(120_000));
  assert.equal(srv.served, served2, "nothing left to repair: no Trades call");
});
