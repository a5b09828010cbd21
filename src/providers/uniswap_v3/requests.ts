import { InputError, show } from "../../util/errors.ts";
import type { DefiRequest } from "../defi/request.ts";
import { parsePoolDays, parsePools } from "./parse.ts";

/**
 * Uniswap v3 subgraph requests (GraphQL POST): pools by id, or the pools of a token pair (token addresses,
 * largest TVL first). Each pool answers `totalValueLockedUSD` and its latest COMPLETE day's `volumeUSD`
 * (`poolDayData` with `date` before the UTC day the request is built in: a day still in progress is no day
 * volume). Rows are stamped with the fetch time.
 */
const ADDR = /^0x[0-9a-fA-F]{40}$/;
const FIELDS = `id token0 { id symbol } token1 { id symbol } totalValueLockedUSD
  poolDayData(first: 1, orderBy: date, orderDirection: desc, where: { date_lt: $day }) { date volumeUSD }`;
const SOURCE = "uniswap_v3/subgraph";

function addr(what: string, v: string): string {
  if (!ADDR.test(v)) {
    throw new InputError(`uniswap v3 ${what}: expected a 0x address (40 hex digits), found ${show(v)}`);
  }
  return v.toLowerCase();
}

const dayStart = (now: number) => Math.floor(now / 86_400_000) * 86_400;

export function poolsByIdRequest(url: string, ids: string[], now: number): DefiRequest {
  if (ids.length === 0 || ids.length > 100) {
    throw new InputError(`uniswap v3 pools: expected 1 to 100 pool ids, found ${ids.length}`);
  }
  const norm = [...new Set(ids.map((id) => addr("pool id", id)))].sort();
  return {
    venue: "uniswap_v3",
    endpoint: "pools",
    params: { ids: norm.join(",") },
    url,
    postBody: JSON.stringify({
      query: `query Pools($ids: [ID!]!, $day: Int!) { pools(where: { id_in: $ids }) { ${FIELDS} } }`,
      variables: { ids: norm, day: dayStart(now) },
    }),
    parse: (body, fetchedAt) => parsePools(body, { observedAt: fetchedAt, source: SOURCE }),
  };
}

export function poolsByPairRequest(url: string, token0: string, token1: string, now: number): DefiRequest {
  const t0 = addr("token0", token0);
  const t1 = addr("token1", token1);
  return {
    venue: "uniswap_v3",
    endpoint: "pools",
    params: { token0: t0, token1: t1 },
    url,
    postBody: JSON.stringify({
      query:
        `query Pair($t0: String!, $t1: String!, $day: Int!) { pools(first: 10, orderBy: totalValueLockedUSD, ` +
        `orderDirection: desc, where: { token0: $t0, token1: $t1 }) { ${FIELDS} } }`,
      variables: { t0, t1, day: dayStart(now) },
    }),
    parse: (body, fetchedAt) => parsePools(body, { observedAt: fetchedAt, source: SOURCE }),
  };
}

/** A pool's last `days` COMPLETE days (before the UTC day of `now`): daily volume and TVL in USD. */
export function poolDaysRequest(url: string, pool: string, now: number, days = 15): DefiRequest {
  const id = addr("pool id", pool);
  return {
    venue: "uniswap_v3",
    endpoint: "pool_days",
    params: { pool: id },
    url,
    postBody: JSON.stringify({
      query: `query Days($id: String!, $day: Int!, $n: Int!) { poolDayDatas(first: $n, orderBy: date, ` +
        `orderDirection: desc, where: { pool: $id, date_lt: $day }) { date volumeUSD tvlUSD } }`,
      variables: { id, day: dayStart(now), n: days },
    }),
    parse: (body) => parsePoolDays(body, { pool: id, pair: null, source: SOURCE }),
  };
}
