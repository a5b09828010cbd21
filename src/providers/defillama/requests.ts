import { InputError, show } from "../../util/errors.ts";
import type { DefiRequest } from "../defi/request.ts";
import { parseChainTvl, parseProtocol } from "./parse.ts";

/**
 * DefiLlama requests (https://api.llama.fi, OpenAPI: /work/shared/data/derivs/defillama_openapi_tvl_schemas.json):
 * `/protocol/{slug}` (total and per-chain TVL series) and `/v2/historicalChainTvl[/{chain}]`. DEX volumes
 * (`/overview/dexs…`) are not requested: the shared data has neither a recording nor a schema of them.
 */
const SLUG = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,79}$/;

function slug(what: string, v: string): string {
  if (!SLUG.test(v)) {
    throw new InputError(`defillama ${what}: expected a slug like aave or Ethereum, found ${show(v)}`);
  }
  return v;
}

const base = (u: string) => u.replace(/\/+$/, "");

export function protocolRequest(baseUrl: string, protocol: string): DefiRequest {
  const p = slug("protocol", protocol);
  return {
    venue: "defillama",
    endpoint: "protocol",
    params: { protocol: p },
    url: `${base(baseUrl)}/protocol/${encodeURIComponent(p)}`,
    parse: (body) => parseProtocol(body, { protocol: p, source: `defillama/protocol/${p}` }),
  };
}

/** A chain's TVL series, or all chains' total (`chain` null). */
export function chainTvlRequest(baseUrl: string, chain: string | null): DefiRequest {
  const c = chain === null ? null : slug("chain", chain);
  return {
    venue: "defillama",
    endpoint: "historicalChainTvl",
    params: { chain: c ?? "all" },
    url: `${base(baseUrl)}/v2/historicalChainTvl${c === null ? "" : `/${encodeURIComponent(c)}`}`,
    parse: (body) => parseChainTvl(body, { chain: c, source: `defillama/historicalChainTvl/${c ?? "all"}` }),
  };
}
