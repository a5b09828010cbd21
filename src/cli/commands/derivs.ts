import type { Command } from "../command.ts";

/** `cryptorun derivs`: help and flags (light; the implementation lives in ./derivs/show.ts). */

export const derivsCommand: Command = {
  name: "derivs",
  summary:
    "derivatives funding, open interest and basis per venue: parse a recorded response or read history",
  help: `cryptorun derivs — funding, open interest and basis (docs/DERIVATIVES.md)

Usage: cryptorun derivs show --venue V (--replay FILE [--symbols INSTRUMENT] | --symbols LIST --from ISO --to ISO)
       [--json]

show --replay prints the normalised rows parsed from a recorded REST response body (or a recording of several,
{"samples":[{"endpoint","response"}]}), exactly what ingest --venue V --replay FILE stores: symbol (DOGE/USD),
funding_rate_relative (per funding interval), funding_interval_h, funding_rate_annualized, open_interest with
open_interest_unit, mark_price, index_price, basis (basis_annualized where a tenor is known), ts (when the value
was known), record (funding | snapshot | candle) and source. Values a venue could not mean (50 %/h funding,
a zero mark price) are listed under "quarantined" with the reason, never as rows.

show --from/--to reads the stored history of the cold table derivs through the data door (kind derivs,
tiers.authority.derivs): nothing with ts after --to.

Flags:
  --venue V          krakenfutures | binance (USDⓈ-M) | okx | coinbase (conventions: docs/DERIVATIVES.md)
  --replay FILE      a recorded response body or recording
  --symbols LIST     replay: the instrument a body without one is about (funding history: PF_XBTUSD);
                     history: the normalised pairs to read (BTC/USD,ETH/USD)
  --from ISO         history: window start (inclusive)
  --to ISO           history: window end (inclusive; PIT: nothing later is shown)

--json prints {"venue", "rows": [...], "quarantined": [{"check", "reason", "row"}], "skipped": [...]}
(history: {"venue", "from", "to", "symbols": {SYMBOL: {"rows", "served_by", "age_ms", "chain"}}}).

Examples:
  cryptorun derivs show --venue krakenfutures --replay fixtures/derivs/krakenfutures_tickers_recorded.json --json
  cryptorun derivs show --venue krakenfutures --replay fixtures/derivs/krakenfutures_funding_history_recorded.json --symbols PF_XBTUSD
  cryptorun derivs show --venue krakenfutures --symbols BTC/USD --from 2024-11-16T00:00:00Z --to 2026-02-09T00:00:00Z`,
  options: {
    venue: { type: "string" },
    replay: { type: "string" },
    symbols: { type: "string" },
    from: { type: "string" },
    to: { type: "string" },
  },
  actions: [
    {
      name: "show",
      usage:
        "cryptorun derivs show --venue V (--replay FILE [--symbols INSTRUMENT] | --symbols LIST --from ISO --to ISO)",
      flags: ["venue", "replay", "symbols", "from", "to"],
      load: async () => (await import("./derivs/show.ts")).run,
    },
  ],
};
