import type { DefiRow } from "../../market/defi.ts";

/**
 * One DeFi provider request: where to send it (`url`, a GraphQL `postBody`), its warm-tier key (`venue`,
 * `endpoint`, `params`: the same request always has the same key) and how its body becomes rows given when
 * it was fetched.
 */
export interface DefiRequest {
  venue: "defillama" | "uniswap_v3";
  /** The breaker's and the cache's endpoint name. */
  endpoint: string;
  params: Record<string, string>;
  url: string;
  postBody?: string;
  parse(body: unknown, fetchedAt: number): DefiRow[];
}
