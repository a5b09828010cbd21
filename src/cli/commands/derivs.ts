import { loadEntry } from "../../util/entries.ts";
import type { Command } from "../command.ts";

/** `cryptorun derivs`: help and flags (light; the implementation lives in ./derivs/show.ts). */

export const derivsCommand: Command = {
  name: "derivs",
  summary: "derivatives funding, open interest and basis per venue, and DeFi TVL / DEX pool volume",
  help: `cryptorun derivs — funding, open interest and basis (docs/DERIVATIVES.md)

Usage: cryptorun derivs show --venue V (--replay FILE [--symbols INSTRUMENT] | --symbols LIST --from ISO --to ISO)
       [--json]
       cryptorun derivs defi --source defillama|uniswap_v3 [--protocol X | --chain Y | --pools ID,ID] [--replay FILE | --as-of ISO]
       [--json]

show --replay prints the normalised rows parsed from a recorded REST response body (or a recording of several,
{"samples":[{"endpoint","response"}]}), exactly what ingest --venue V --replay FILE stores: symbol (DOGE/USD),
funding_rate_relative (per funding interval), funding_interval_h, funding_rate_annualized, open_interest with
open_interest_unit, mark_price, index_price, basis (basis_annualized where a tenor is known), ts (when the value
was known), record (funding | snapshot | candle) and source. Values a venue could not mean (50 %/h funding,
a zero mark price) are listed under "quarantined" with the reason, never as rows.

show --from/--to reads the stored history of the cold table derivs through the data door (kind derivs,
tiers.authority.derivs): nothing with ts after --to.

defi prints DeFi rows (ts, kind protocol_tvl | chain_tvl | pool, subject, chain, pair, tvl_usd,
volume_usd_24h, source): DefiLlama protocol TVL (--protocol aave: total and per chain) or chain TVL (--chain
Ethereum; neither: all chains), or Uniswap v3 subgraph pools (--pools: pool addresses; TVL and the latest
complete day's volume). Live reads go through the limiter, retry and circuit breaker (config defi:) and the
warm-tier cache (a response younger than defi.ttl_ms is reused); --as-of reads only the cache and never a
response fetched after that time; --replay parses a recorded body (a subgraph body has no time: its rows are
stamped with the file's modification time). Exit 1 when no row is found.

Flags:
  --source S         defi: defillama | uniswap_v3
  --protocol X       defi: a DefiLlama protocol slug (aave)
  --chain Y          defi: a DefiLlama chain (Ethereum)
  --pools LIST       defi: Uniswap v3 pool addresses (0x…,0x…)
  --as-of ISO        defi: read the cache as of this time (no network)
  --venue V          krakenfutures | binance (USDⓈ-M) | okx | coinbase (conventions: docs/DERIVATIVES.md)
  --replay FILE      a recorded response body or recording
  --symbols LIST     replay: the instrument a body without one is about (funding history: PF_XBTUSD);
                     history: the normalised pairs to read (BTC/USD,ETH/USD)
  --from ISO         history: window start (inclusive)
  --to ISO           history: window end (inclusive; PIT: nothing later is shown)

--json prints {"venue", "rows": [...], "quarantined": [{"check", "reason", "row"}], "skipped": [...]}
(history: {"venue", "from", "to", "symbols": {SYMBOL: {"rows", "served_by", "age_ms", "chain"}}}).

defi --json prints {"source", "request": {"endpoint", "params"}, "fetched_at", "cached", "stale", "rows"}.

Examples:
  cryptorun derivs defi --source uniswap_v3 --pools 0x88e6a0c2ddd26feeb64f039a2c41296fcb3f5640 --replay fixtures/defi/uniswap_v3_pools_recorded.json
  cryptorun derivs defi --source defillama --protocol gmx --replay fixtures/defi/defillama_hourly_tvl_gmx_recorded.json --json
  cryptorun derivs show --venue krakenfutures --replay fixtures/derivs/krakenfutures_tickers_recorded.json --json
  cryptorun derivs show --venue krakenfutures --replay fixtures/derivs/krakenfutures_funding_history_recorded.json --symbols PF_XBTUSD
  cryptorun derivs show --venue krakenfutures --symbols BTC/USD --from 2024-11-16T00:00:00Z --to 2026-02-09T00:00:00Z`,
  options: {
    venue: { type: "string" },
    replay: { type: "string" },
    symbols: { type: "string" },
    from: { type: "string" },
    to: { type: "string" },
    source: { type: "string" },
    protocol: { type: "string" },
    chain: { type: "string" },
    pools: { type: "string" },
    "as-of": { type: "string" },
  },
  actions: [
    {
      name: "show",
      usage:
        "cryptorun derivs show --venue V (--replay FILE [--symbols INSTRUMENT] | --symbols LIST --from ISO --to ISO)",
      flags: ["venue", "replay", "symbols", "from", "to"],
      load: async () =>
        (await loadEntry<typeof import("./derivs/show.ts")>("cli/commands/derivs/show.ts")).run,
    },
    {
      name: "defi",
      usage:
        "cryptorun derivs defi --source defillama|uniswap_v3 [--protocol X | --chain Y | --pools ID,ID] [--replay FILE | --as-of ISO]",
      flags: ["source", "protocol", "chain", "pools", "replay", "as-of"],
      load: async () =>
        (await loadEntry<typeof import("./derivs/defi.ts")>("cli/commands/derivs/defi.ts")).run,
    },
  ],
};
