import { loadEntry } from "../../util/entries.ts";
import type { Command } from "../command.ts";

/** `cryptorun ingest`: help and flags (light; the implementation lives in ./ingest/run.ts). */

export const ingestCommand: Command = {
  name: "ingest",
  summary:
    "Kraken market data: live WebSocket (books, trades) or a recorded replay → hot/cold tiers; derivatives venues → derivs",
  help: `cryptorun ingest — exchange-native Kraken data with verified order books

Usage: cryptorun ingest --venue kraken --symbols BTC/USD,ETH/USD [--duration 60s] [--record FILE] [--dry-run]
       cryptorun ingest --venue kraken --replay FILE [--asset-pairs FILE] [--dry-run] [--json]
       cryptorun ingest --venue krakenfutures|binance|okx|coinbase --replay FILE [--symbols INSTRUMENT]
                        [--dry-run] [--json]
       cryptorun ingest --venue krakenfutures|binance|okx|coinbase --symbols BTC/USD,… [--from ISO [--to ISO]]
                        [--dry-run] [--json]

Derivatives venues (docs/DERIVATIVES.md): funding, open interest and basis, normalised (BTC/USD, funding per
interval + interval + annualised, OI with its unit), into the cold table derivs (implausible values into
quarantine/derivs) through the cold write path. --replay parses a recorded response body or a recording
{"samples":[{"endpoint","response"}]} with the live path's parser; --symbols names the instrument of a body
that carries none (Kraken funding history: PF_XBTUSD; Binance klines: BTCUSDT). Live: each pair's current
snapshot from the venue's REST API, and with --from its settled funding prints in [--from, --to (default
now)] (fundingWindow: the z-score needs 31 periods), (derivs.krakenfutures_base_url, …), through its circuit breaker (derivs.breaker_*). --json prints
{"venue","from","rows","quarantined","skipped","symbols","written","dry_run"}; exit 1 when nothing was ingested.

Live ingest connects to Kraken's WebSocket v2 (kraken.ws_url), subscribes instrument (for precisions), book
(depth kraken.book_depth), trade and ticker, and verifies Kraken's CRC32 checksum on every book update. Only
verified books reach the hot tier (<data-dir>/<tiers.hot_path>/microstructure/kraken/): mid, spread (bps) and
USD depth within ±2% per symbol, at most one snapshot per symbol per kraken.hot_snapshot_interval_ms. Trades go
to the trades table (when persistence.enabled) and closed 1-minute bars built from them to the cold tier
(table kraken.bars_table, USD pairs). It runs until --duration elapses or Ctrl-C, then prints one line per
symbol (or, with --json, the same object as a replay).

Replay feeds a recording through exactly the same code path: a file with one WebSocket frame's exact text
per line (Kraken v1 or v2, detected per line) or the --record format. It processes every pair in the file and
writes the hot tier stamped with the recording's own timestamps. With --json it prints one object:
  {"messages":N,"symbols":{"BTC/USD":{"checksum_ok":N,"checksum_failed":N,"resyncs":N,"best_bid":x,
   "best_ask":y,"spread_bps":z,"depth_usd_2pct":{"bid":a,"ask":b}}},"incomplete_bars":N}
(incomplete_bars: 1-minute bars not written because the stream did not cover their whole minute)

Flags:
  --venue V             kraken (spot), or a derivatives venue: krakenfutures, binance, okx, coinbase
  --symbols A/USD,…     live: pairs to subscribe (normalised names; XBT/USD and XBTUSD are accepted); quotes
                        must be in kraken.quotes (USD only by default)
  --duration D          live: stop after D (60s, 5m, 2h); default: until Ctrl-C
  --record FILE         live: also write every received frame to FILE (appears atomically at the end)
  --replay FILE         replay a recording instead of connecting
  --asset-pairs FILE    a saved /0/public/AssetPairs response: symbol map and price/qty precisions (v2
                        books need them unless the recording holds an instrument message). Live ingest
                        fetches AssetPairs itself when this is not given.
  --dry-run             verify and report, but write nothing to the tiers
  --from ISO, --to ISO  derivatives venues, live: also fetch the funding history in this window

Pitfalls:
  - A v1 book snapshot carries no checksum: a v1 book is verified (and written) only from its first update
    whose checksum matches. v2 snapshots carry one.
  - A checksum mismatch, crossed book or update without a snapshot drops the book: live ingest resubscribes
    for a fresh snapshot; a replay cannot, so that symbol stays dropped until the file has a new snapshot.
  - A frame Kraken would not send (bad JSON, a level price of 0, a pair name that is not BASE/QUOTE) stops a
    replay with FILE:LINE (exit 1); live ingest logs and counts it (and resyncs that book) and goes on.
  - A replay checks the whole file before writing anything (it reads the file twice): a bad line anywhere
    exits 1 with nothing written, so the fixed file can simply be replayed again.
  - A v2 book for a symbol with no known precision is an error naming the symbol (use --asset-pairs).
  - The ±2% depth counts only the levels the book holds: with book_depth 10 it can under-count.
  - Exit code 0 also when checksums failed (they are counted and reported); bad input exits 1, and so does a
    live run that never connected to kraken.ws_url during --duration (it says why).

Examples:
  cryptorun ingest --venue kraken --replay fixtures/kraken/book_v1_recorded.jsonl --json
  cryptorun ingest --venue kraken --replay fixtures/kraken/book_v2_docs_example.jsonl
  cryptorun ingest --venue kraken --symbols BTC/USD,ETH/USD --duration 60s --record /tmp/kraken.jsonl
  cryptorun ingest --venue kraken --replay /tmp/kraken.jsonl --dry-run --json | jq '.symbols["BTC/USD"]'
  cryptorun ingest --venue krakenfutures --replay fixtures/derivs/krakenfutures_tickers_recorded.json --json`,
  options: {
    venue: { type: "string" },
    symbols: { type: "string" },
    duration: { type: "string" },
    record: { type: "string" },
    replay: { type: "string" },
    "asset-pairs": { type: "string" },
    "dry-run": { type: "boolean" },
    from: { type: "string" },
    to: { type: "string" },
  },
  load: async () => (await loadEntry<typeof import("./ingest/run.ts")>("cli/commands/ingest/run.ts")).run,
};
