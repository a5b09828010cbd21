import { z } from "zod";

/** The kinds of market data the data door serves (src/data/door/); each has its own source authority. */
export const DATA_KINDS = ["bars", "books", "trades", "ticker", "derivs"] as const;
export type DataKind = typeof DATA_KINDS[number];

/**
 * A source of the data door, `<tier>:<name>`:
 *  - `hot:<venue>_ws`   verified WebSocket books in the hot tier (books only);
 *  - `warm:<venue>_rest` the venue's REST responses cached under `<data-dir>/<warm_path>/` (any kind);
 *  - `cold:<venue>`     the cold tier's bar table, which holds that venue's bars (bars only);
 *  - `cold:fixtures`    the recorded bars shipped in fixtures/ohlcv for `scan.fixture_venues` (bars only);
 *  - `cold:db`          the database's trades table (trades only; needs persistence.enabled);
 *  - `cold:derivs`      the cold tier's derivs table: funding, open interest, basis of every derivatives venue
 *                       (derivs only; docs/DERIVATIVES.md).
 */
export const SOURCE_ID_RE = /^(hot|warm|cold):[a-z0-9_]+$/;
const SourceId = z.string().regex(SOURCE_ID_RE, "expected <tier>:<name>, e.g. hot:kraken_ws, cold:kraken");

/** Which kinds a source id can serve (structural: warm adapters are checked when the door opens). */
export function sourceServes(id: string, kind: DataKind): boolean {
  const [tier, name] = id.split(":");
  if (tier === "warm") return name.endsWith("_rest");
  if (tier === "hot") return kind === "books" && name.endsWith("_ws");
  if (name === "db") return kind === "trades";
  if (name === "derivs") return kind === "derivs";
  return kind === "bars"; // cold:<venue>, cold:fixtures
}

const Authority = (fallback: string[]) => z.array(SourceId).min(1).default(fallback);

/**
 * `tiers:` in config/data_sources.yaml — the hot/warm/cold tiers (DOMAIN.md §5) and, per data kind, the
 * ordered sources the data door reads (source authority: a later source answers only when every earlier one
 * is stale or missing; docs/CONFIG.md § tiers).
 */
export const TiersSection = z.strictObject({
  /** Hot = WebSocket data; a hot answer older than this (ms before the read's end) falls through. */
  hot_max_age_ms: z.number().int().positive().default(5_000),
  /** Warm = REST + cache: an entry fetched longer ago than this is stale (kinds without a warm_ttl_ms). */
  warm_max_age_ms: z.number().int().positive().default(60_000),
  /**
   * Per-kind warm TTLs (DOMAIN.md §5, Kraken's values: L2 book 15 s, L1 ticker 10 s, trades 30 s); a kind
   * left out uses warm_max_age_ms (bars: closed hourly candles do not change within a minute).
   */
  warm_ttl_ms: z.strictObject({
    bars: z.number().int().positive().optional(),
    books: z.number().int().positive().default(15_000),
    trades: z.number().int().positive().default(30_000),
    ticker: z.number().int().positive().default(10_000),
    derivs: z.number().int().positive().optional(),
  }).prefault({}),
  /** Cold bars older than this (newest bar vs the read's end) count as stale; absent = no limit (DOMAIN). */
  cold_max_age_ms: z.number().int().positive().optional(),
  /** Source authority per data kind, highest first. */
  authority: z.strictObject({
    bars: Authority(["cold:kraken", "warm:kraken_rest", "cold:fixtures"]),
    books: Authority(["hot:kraken_ws", "warm:kraken_rest"]),
    trades: Authority(["cold:db", "warm:kraken_rest"]),
    ticker: Authority(["warm:kraken_rest"]),
    derivs: Authority(["cold:derivs"]),
  }).prefault({}).superRefine((a, ctx) => {
    for (const kind of DATA_KINDS) {
      const seen = new Set<string>();
      a[kind].forEach((id, i) => {
        if (seen.has(id)) {
          ctx.addIssue({ code: "custom", path: [kind, i], message: `${id} is listed twice` });
        } else if (!sourceServes(id, kind)) {
          ctx.addIssue({
            code: "custom",
            path: [kind, i],
            message: `${id} cannot serve ${kind} (hot:<venue>_ws: books; warm:<venue>_rest: any kind; ` +
              `cold:<venue> and cold:fixtures: bars; cold:db: trades; cold:derivs: derivs)`,
          });
        }
        seen.add(id);
      });
    }
  }),
  /** Hot/warm stores live under <data-dir>/hot and <data-dir>/warm. */
  hot_path: z.string().min(1).default("hot"),
  warm_path: z.string().min(1).default("warm"),
});
export type TiersConfig = z.infer<typeof TiersSection>;

/** The warm TTL of a kind. */
export function warmTtlMs(t: TiersConfig, kind: DataKind): number {
  return t.warm_ttl_ms[kind] ?? t.warm_max_age_ms;
}
