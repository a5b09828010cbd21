import { loadEntry } from "../../util/entries.ts";
import type { Command } from "../command.ts";

/** `cryptorun backfill`: help and flags (light; the implementation lives in ./backfill/run.ts). */

export const backfillCommand: Command = {
  name: "backfill",
  summary: "history from the venue's trades: 1-minute bars into the cold tier, resumable, gap repair",
  help: `cryptorun backfill — 1-minute history from Kraken's public Trades, resumable and idempotent

Usage: cryptorun backfill --venue kraken --symbols BTC/USD,ETH/USD --from ISO --to ISO [--gaps] [--overwrite]
                          [--no-trades] [--batch-minutes N] [--wait[=DURATION]] [--json]

Pages Kraken's public Trades endpoint from --from (nanosecond 'since' cursor, the 'last' of each page) through
the client-side rate limiter of kraken.tier; a refusal (EAPI:Rate limit exceeded, HTTP 429) is waited out with
a doubling backoff and the same page asked again — it is never taken as data. Trades become 1-minute bars
(ts = minute open, open/high/low/close, volume in base currency, vwap, trades = count) in the cold table
ohlcv_1m (kraken.bars_table), merged with what is there: a bar already stored keeps its values unless
--overwrite. The raw trades go to the trades table too (persistence.enabled; --no-trades skips them).

Every --batch-minutes completed minutes (default 1440) one cold commit is made, then a checkpoint per
(venue, symbol) at <data-dir>/backfill/checkpoints/kraken/<BASE-QUOTE>.json (the last committed minute and
the cursor to resume from), written atomically. Killed at any point (kill -9 included), the same command
continues where it stopped and ends with the same cold tier as an uninterrupted run; a second run adds
nothing. Minutes the venue confirmed without trades are recorded as known gaps (cold gaps marks them).

Flags:
  --venue kraken          the venue (only kraken)
  --symbols A/USD,B/USD   normalised pairs (xbt-usd = BTC/USD), looked up in Kraken's AssetPairs
  --from, --to TIME       the window, ISO-8601 or epoch ms; a minute is written only when it lies whole in
                          [--from, --to) and is over: the minute holding --to, or now, is never written
  --gaps                  only the holes 'cold gaps --table ohlcv_1m --interval 1m' lists in the window
                          (minus known gaps), each from its first missing minute
  --overwrite             replace stored bars whose values differ (default: the stored bar wins)
  --no-trades             do not write the raw trades to the trades table
  --batch-minutes N       completed minutes per cold commit and checkpoint (default 1440; at most 100000)
  --wait[=DURATION]       wait for another writer of the table instead of failing at once
  --json                  NDJSON: progress lines {"event":"progress",…} then one {"event":"done",…}

Pitfalls:
  - A minute without any trade has NO bar (not a flat bar): 'cold gaps' lists it until a backfill confirms
    it empty at the venue; then it is a known gap (exchange outage or no trading), listed as such.
  - Kraken serves about one Trades page (up to 1000 trades) per call and the starter tier allows a call
    every ~3 s once its budget is spent: a busy pair's day takes minutes. The ETA follows the rate limit.
  - Use 'cold import --kraken-ohlcvt' for the years Kraken's downloadable files cover, then backfill the days
    after the files end.
  - A checkpoint belongs to one --from: a run with another --from starts that symbol over (what is stored
    stays; nothing is written twice).

Examples:
  cryptorun backfill --venue kraken --symbols BTC/USD,ETH/USD --from 2025-09-01 --to 2025-09-08
  cryptorun backfill --venue kraken --symbols BTC/USD --from 2025-09-01 --to 2025-10-01 --gaps --json
  cryptorun cold gaps --table ohlcv_1m --from 2025-09-01 --to 2025-10-01 --interval 1m`,
  options: {
    venue: { type: "string" },
    symbols: { type: "string" },
    from: { type: "string" },
    to: { type: "string" },
    gaps: { type: "boolean" },
    overwrite: { type: "boolean" },
    "no-trades": { type: "boolean" },
    "batch-minutes": { type: "string" },
    wait: { type: "string" },
  },
  optionalValues: { wait: "forever" },
  load: async () => (await loadEntry<typeof import("./backfill/run.ts")>("cli/commands/backfill/run.ts")).run,
};
