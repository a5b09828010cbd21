// serve's book sessions with regions (src/serve/app.ts regionBookSessions, issue 17): one session per region on
// its own ws_url; the leader writes the usual hot path and trades, followers their own hot directory and no
// trades; one region (or none) keeps the single kraken_books session unchanged.
import assert from "node:assert/strict";
import { hotRegions } from "../../src/data/door/open.ts";
import { regionBookSessions } from "../../src/serve/app.ts";
import { defaultConfig } from "../health/fake_sources.ts";

Deno.test("regionBookSessions: one per region, followers in <hot_path>/regions/<name> without trades", async () => {
  const single = await defaultConfig();
  assert.deepEqual(regionBookSessions(single).map((s) => s.name), ["kraken_books"]);
  assert.equal(hotRegions(single), undefined);
  const cfg = await defaultConfig((c) => {
    c.persistence.enabled = true;
    c.regions.list = [
      { name: "us", rest_url: "https://api.kraken.com", ws_url: "wss://ws.kraken.com" },
      { name: "eu", rest_url: "https://eu.example", ws_url: "wss://eu.example" },
    ];
    c.regions.leader = "eu";
  });
  const s = regionBookSessions(cfg);
  assert.deepEqual(s.map((x) => x.name), ["kraken_books_us", "kraken_books_eu"]);
  const [us, eu] = s;
  assert.equal(eu.config.kraken.ws_url, "wss://eu.example");
  assert.equal(eu.config.tiers.hot_path, cfg.tiers.hot_path);
  assert.equal(eu.config.persistence.enabled, true);
  assert.equal(us.config.kraken.ws_url, "wss://ws.kraken.com");
  assert.equal(us.config.tiers.hot_path, `${cfg.tiers.hot_path}/regions/us`);
  assert.equal(us.config.persistence.enabled, false);
  assert.deepEqual(hotRegions(cfg), {
    leader: "eu",
    others: [{ name: "us", hotPath: `${cfg.tiers.hot_path}/regions/us` }],
    toleranceBps: 25,
  });
});
