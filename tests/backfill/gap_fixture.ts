/**
 * A data dir with holes for the gap-repair tests: a complete backfill of 2025-11-10 from the loopback Kraken
 * (the reference), and a copy of it whose cold tier lacks a few bars of each symbol (a restart's hole) but
 * keeps the reference's known gaps (the minutes the venue confirmed empty).
 */
import assert from "node:assert/strict";
import { ColdSection } from "../../src/config/sections/cold.ts";
import { openColdTables } from "../../src/data/cold/store.ts";
import type { RowInput } from "../../src/data/cold/batch.ts";
import { copyTree, runCli } from "../data/cold/table_helpers.ts";

export const FROM = "2025-11-10T00:00:00Z";
export const TO = "2025-11-11T00:00:00Z";

export const krakenEnv = (url: string, extra: Record<string, string> = {}) => ({
  CRYPTORUN_KRAKEN_REST_BASE_URL: url,
  CRYPTORUN_KRAKEN_TIER: "pro",
  ...extra,
});

export async function barsOfDir(dataDir: string): Promise<Record<string, unknown>[]> {
  const tables = openColdTables(ColdSection.parse({}), dataDir, { log: { warn() {} } });
  const out: Record<string, unknown>[] = [];
  for await (const r of tables.table("ohlcv_1m").read({ from: 0, to: 8.64e15 })) out.push(r);
  return out;
}

export async function refAndHoles(root: string, url: string) {
  const ref = `${root}/ref`;
  const r = await runCli([
    "--data-dir",
    ref,
    "backfill",
    "--venue",
    "kraken",
    "--symbols",
    "BTC/USD,ETH/USD",
    "--from",
    FROM,
    "--to",
    TO,
    "--no-trades",
  ], krakenEnv(url));
  assert.equal(r.code, 0, r.stderr);
  const want = await barsOfDir(ref);
  const btc = want.filter((b) => b.symbol === "BTC/USD");
  const eth = want.filter((b) => b.symbol === "ETH/USD");
  const removed = new Set([...btc.slice(100, 103), ...eth.slice(500, 505)]);
  const holes = `${root}/holes`;
  await Deno.mkdir(`${holes}/backfill`, { recursive: true });
  await copyTree(`${ref}/backfill/known_gaps`, `${holes}/backfill/known_gaps`);
  const tables = openColdTables(ColdSection.parse({}), holes, { log: { warn() {} } });
  const w = await tables.table("ohlcv_1m").write(want.filter((b) => !removed.has(b)) as RowInput[]);
  assert.equal(w.rows, want.length - removed.size);
  return { ref, holes, want, removed: removed.size };
}
