import type { CommandContext, Handler, ParsedArgs } from "../../command.ts";
import type { DefiRow } from "../../../market/defi.ts";
import type { DefiRequest } from "../../../providers/defi/request.ts";
import { InputError, show, UsageError } from "../../../util/errors.ts";
import { isoMs, parseTime } from "../../../util/time.ts";

/**
 * `cryptorun derivs defi`: DeFi TVL and DEX pool volume (docs/DERIVATIVES.md § DeFi). Live through the
 * providers (limiter, retry, breaker, warm-tier cache), as of a past time from the cache only, or parsed from a
 * recorded body (--replay).
 */
const SOURCES = ["defillama", "uniswap_v3"] as const;
type Source = typeof SOURCES[number];

function sourceFlag(raw: unknown): Source {
  if (typeof raw !== "string" || !(SOURCES as readonly string[]).includes(raw)) {
    throw new UsageError(
      `--source: expected one of ${SOURCES.join(", ")}, found ${show(raw ?? "(missing)")}`,
    );
  }
  return raw as Source;
}

const fmt = (v: number | null) => v === null ? "-" : String(+v.toPrecision(10));

function printRows(ctx: CommandContext, rows: DefiRow[]): void {
  const cols = ["ts", "kind", "subject", "chain", "pair", "tvl_usd", "volume_usd_24h", "source"];
  const cells = rows.map((r) => [
    isoMs(r.ts),
    r.kind,
    r.subject,
    r.chain ?? "-",
    r.pair ?? "-",
    fmt(r.tvl_usd),
    fmt(r.volume_usd_24h),
    r.source,
  ]);
  const w = cols.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)));
  ctx.out(cols.map((c, i) => c.padEnd(w[i])).join("  "));
  for (const r of cells) ctx.out(r.map((c, i) => c.padEnd(w[i])).join("  "));
}

export const run: Handler = async (ctx: CommandContext, args: ParsedArgs): Promise<number> => {
  const source = sourceFlag(args.values.source);
  const protocol = args.values.protocol as string | undefined;
  const chain = args.values.chain as string | undefined;
  const pools = args.values.pools as string | undefined;
  const replay = args.values.replay as string | undefined;
  const asOfRaw = args.values["as-of"] as string | undefined;
  const picked = [protocol, chain, pools].filter((v) => v !== undefined).length;
  if (picked > 1) throw new UsageError("derivs defi: give one of --protocol, --chain, --pools");
  if (source === "defillama" && pools !== undefined) {
    throw new UsageError("--pools: a uniswap_v3 flag (defillama takes --protocol or --chain)");
  }
  if (source === "uniswap_v3" && (protocol !== undefined || chain !== undefined)) {
    throw new UsageError("uniswap_v3 takes --pools ID,ID (pool addresses), not --protocol/--chain");
  }
  if (source === "uniswap_v3" && pools === undefined) throw new UsageError("uniswap_v3: --pools: required");
  if (replay !== undefined && asOfRaw !== undefined) {
    throw new UsageError("derivs defi: --as-of reads the warm-tier cache; it does not apply to --replay");
  }
  const cfg = (await ctx.config()).defi;
  const now = Date.now();
  const { protocolRequest, chainTvlRequest } = await import("../../../providers/defillama/requests.ts");
  const { poolsByIdRequest } = await import("../../../providers/uniswap_v3/requests.ts");
  let req: DefiRequest;
  try {
    req = source === "uniswap_v3"
      ? poolsByIdRequest(cfg.uniswap_v3_url, pools!.split(",").map((s) => s.trim()).filter(Boolean), now)
      : protocol !== undefined
      ? protocolRequest(cfg.defillama_base_url, protocol)
      : chainTvlRequest(cfg.defillama_base_url, chain ?? null);
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    throw new UsageError(
      `${
        pools !== undefined ? "--pools" : protocol !== undefined ? "--protocol" : "--chain"
      }: ${err.message}`,
    );
  }

  let rows: DefiRow[];
  let meta: { fetched_at: number | null; cached: boolean; stale: boolean };
  if (replay !== undefined) {
    let text: string;
    try {
      text = await Deno.readTextFile(replay);
    } catch (err) {
      throw new InputError(`--replay: cannot read ${show(replay)}: ${(err as Error).name}`);
    }
    const { parseBody } = await import("../../../providers/derivs_json.ts");
    const body = parseBody(text, replay);
    if (
      source === "defillama" && protocol !== undefined && body && typeof body === "object" && "SK" in body
    ) {
      const { parseHourlyTvl } = await import("../../../providers/defillama/parse.ts");
      rows = parseHourlyTvl(body, { protocol, source: `defillama/hourly/${protocol}` });
    } else {
      rows = req.parse(body, (await Deno.stat(replay)).mtime?.getTime() ?? now);
      // A recorded subgraph body may hold more pools than asked for: only those asked for are shown.
      if (source === "uniswap_v3") rows = rows.filter((r) => req.params.ids.split(",").includes(r.subject));
    }
    meta = { fetched_at: null, cached: false, stale: false };
  } else {
    const { resolve } = await import("node:path");
    const { openDefiProviders, graphApiKey } = await import("../../../providers/defi/open.ts");
    const full = await ctx.config();
    const apiKey = source === "uniswap_v3" ? await graphApiKey(cfg, ctx.env) : undefined;
    if (
      source === "uniswap_v3" && apiKey === undefined &&
      new URL(cfg.uniswap_v3_url).host === "gateway.thegraph.com"
    ) {
      throw new UsageError(
        `uniswap_v3: The Graph's gateway needs an API key: set ${cfg.uniswap_v3_api_key_env} or defi.uniswap_v3_api_key_file`,
      );
    }
    const p = openDefiProviders({
      cfg,
      warmRoot: resolve(await ctx.dataDir(), full.tiers.warm_path),
      apiKey,
    });
    const asOf = asOfRaw === undefined ? undefined : parseTime(asOfRaw, "--as-of");
    const r = await p.read(req, { asOf, signal: ctx.signal });
    rows = r.rows;
    meta = { fetched_at: r.fetchedAt, cached: r.cached, stale: r.stale };
  }
  if (ctx.globals.json) {
    ctx.out(JSON.stringify({
      source,
      request: { endpoint: req.endpoint, params: req.params },
      ...meta,
      rows,
    }));
  } else {
    printRows(ctx, rows);
    ctx.out(
      `${rows.length} rows (${source} ${req.endpoint}` +
        (meta.fetched_at === null
          ? ", replay)"
          : `; fetched ${isoMs(meta.fetched_at)}${meta.cached ? ", cached" : ""}${
            meta.stale ? ", STALE" : ""
          })`),
    );
  }
  return rows.length === 0 ? 1 : 0;
};
