import { loadEntry } from "../../util/entries.ts";
import type { Command } from "../command.ts";

/** `cryptorun scan`: help and flags (light; the implementation lives in ./scan/run.ts). */

export const scanCommand: Command = {
  name: "scan",
  summary: "rank and explain the pairs worth watching now (momentum, regime weights, gates; point in time)",
  help:
    `cryptorun scan — the main job: a ranked, explained list of USD pairs, from data that existed at the as-of time

Usage: cryptorun scan [--as-of ISO] [--universe BTC/USD,…] [--top N] [--quote USDT] [--explain SYMBOL]
                      [--dry-run] [--json]

Reads every input through the data door (docs/ARCHITECTURE.md): hourly bars from the cold tier (loading the
real bars shipped in fixtures/ohlcv on first run), the venue's order books from the hot tier (verified
WebSocket books younger than tiers.hot_max_age_ms) or else the warm tier (Kraken REST responses cached under
<data-dir>/warm; fetched only when scanning "now"), in the order tiers.authority gives. Then decides the regime
at the last 4h UTC boundary, scores every admitted pair (MomentumCore protected and first in Gram–Schmidt, then
technical, volume, quality; social ≤ +10 added last), runs the entry gates — the freshness guard sees the
oldest feed (worst feed wins) — stores premove artifacts and the regime snapshot (persistence) and publishes
one envelope per result (stream). Scoring and every gate: docs/SCORING.md.

Flags:
  --as-of ISO        scan as of this time (ISO-8601 or epoch ms). Default: now when a live feed runs (the hot
                     tier holds a verified book younger than gates.book_max_age_ms), else the close of the
                     last bar in the store. Only bars CLOSED by then are used: a 1h bar opened at 11:00
                     closes at 12:00.
  --universe LIST    only these symbols (comma-separated, e.g. BTC/USD,ETH/USD); default scan.universe, else
                     every admitted symbol in the store
  --top N            rows shown (1–100000; default scan.top = 20); everything is still ranked, stored and
                     published.
                     Combines with --universe: the best N of those symbols
  --quote Q          admit these quote currencies (comma-separated or repeated) instead of scan.quotes;
                     USD is the default — a USDT pair is only ever scanned when admitted, and is shown with
                     its venue and quote
  --explain SYMBOL   print every input, factor step, gate value/threshold/reason and the premove verdict of
                     one symbol (with --json: one object)
  --dry-run          compute and print only: store nothing, publish nothing

Output: a table (rank, symbol, venue, data badge, score, points from momentum/technical/volume/quality/social,
gates passed, entry PASS/FAIL and the first blocking reason). The data badge: ● when the oldest feed is within
gates.freshness_max_bars and nothing was served stale (else ○), then the tier that served the bars / the book
(– none), e.g. "● cold/hot". --json prints one object:
  {"as_of", "regime", "weights", "results": [{"rank", "symbol", "venue", "quote", "score", "contributions",
   "gates": [{"name", "pass", "status", "reason", …}], "passed", "premove",
   "data": {"bars"|"book": {"served_by": {"tier", "source"}|null, "age_ms", "stale", "chain"},
            "oldest_feed": {"feed", "age_ms", "fresh"}}}], "skipped", "notes"}

Pitfalls:
  - Liquidity gates read exchange-native books only: the hot tier's checksum-verified WebSocket books, or
    the venue's own REST Depth snapshot from the warm tier — never an aggregator's. Hourly bars alone have
    no book: the spread/depth gates then say "unknown" and the entry does not pass — never a silent pass.
  - The late-fill guard measures the decision time against the signal bar's close: with --as-of 12:30 the
    12:00 bar is 1800 s old and fails it. Use an hour boundary to replay a decision at bar close.
  - A historical --as-of stores its premove artifacts at that time (idempotent: re-running replaces them).
  - Regime changes only at 4h UTC boundaries (00/04/08/12/16/20): as of 07:59 the 04:00 decision applies.

Examples:
  cryptorun scan
  cryptorun scan --as-of 2022-06-15T12:00:00Z --top 5
  cryptorun scan --universe BTC/USD,ETH/USD --explain ETH/USD
  cryptorun scan --universe BTC/USD,ETH/USD,XRP/USD --top 2
  cryptorun scan --quote USD,USDT --json | jq '.results[] | {symbol, venue, score, passed}'
  cryptorun --config config/demo.yaml scan --dry-run`,
  options: {
    "as-of": { type: "string" },
    universe: { type: "string" },
    top: { type: "string" },
    quote: { type: "string", multiple: true },
    explain: { type: "string" },
    "dry-run": { type: "boolean" },
  },
  load: async () => (await loadEntry<typeof import("./scan/run.ts")>("cli/commands/scan/run.ts")).run,
};
