import { basename } from "node:path";
import type { DerivsParse } from "../market/derivs.ts";
import { InputError, show } from "../util/errors.ts";
import type { DerivsLimits } from "../market/derivs_math.ts";
import { parseBody } from "./derivs_json.ts";
import type { DerivsVenue, ResponseContext } from "./derivs_port.ts";

/**
 * Recorded derivatives responses → normalised rows, through each venue's own parser (the one its live path
 * uses). A replay file is either one response body as the venue sent it, or a recording of several —
 * `{"samples":[{"endpoint":"GET /…","response":{…}}, …]}` (the layout of ../shared/data/derivs/*.json) —
 * each parsed with its request's endpoint (a funding history body names no symbol; a candle body names neither
 * symbol nor tick type).
 */

export interface ReplayResponse {
  body: unknown;
  ctx: ResponseContext;
}

export type VenueParser = (responses: ReplayResponse[], limits: DerivsLimits) => DerivsParse;

/** Loads a venue's parser (dynamic: a command pulls in only the venue it was asked for). */
export async function venueParser(venue: DerivsVenue): Promise<VenueParser> {
  switch (venue) {
    case "krakenfutures":
      return (await import("./krakenfutures/parse.ts")).parseKrakenFutures;
    case "binance":
      return (await import("./binance_usdm/parse.ts")).parseBinance;
    case "okx":
      return (await import("./okx/parse.ts")).parseOkx;
    case "coinbase":
      return (await import("./coinbase/parse.ts")).parseCoinbase;
    default:
      throw new InputError(`--venue: no ${venue} derivatives parser in this build yet`);
  }
}

/** The responses in a replay file's text (`file` names it in errors and in each row's `source`). */
export function replayResponses(
  text: string,
  file: string,
  opts: { endpoint?: string; symbol?: string } = {},
): ReplayResponse[] {
  const name = basename(file);
  const body = parseBody(text, file);
  if (body !== null && typeof body === "object" && !Array.isArray(body) && "samples" in body) {
    const samples = (body as { samples: unknown }).samples;
    if (!Array.isArray(samples) || samples.length === 0) {
      throw new InputError(`${file}: samples: expected a non-empty array of {endpoint, response}`);
    }
    return samples.map((s, i) => {
      if (s === null || typeof s !== "object" || !("response" in s)) {
        throw new InputError(`${file}: samples.${i}: expected {endpoint, response}, found ${show(s)}`);
      }
      const rec = s as { endpoint?: unknown; response: unknown };
      const endpoint = typeof rec.endpoint === "string" ? rec.endpoint : opts.endpoint;
      return {
        body: rec.response,
        ctx: { endpoint, symbol: opts.symbol, source: `replay:${name}#samples.${i}` },
      };
    });
  }
  return [{ body, ctx: { endpoint: opts.endpoint, symbol: opts.symbol, source: `replay:${name}` } }];
}

/** Reads and parses a replay file of `venue`. */
export async function parseReplayFile(
  venue: DerivsVenue,
  path: string,
  limits: DerivsLimits,
  opts: { endpoint?: string; symbol?: string } = {},
): Promise<DerivsParse> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    throw new InputError(`--replay: cannot read ${path}: ${(err as Error).message}`);
  }
  const parse = await venueParser(venue);
  return parse(replayResponses(text, path, opts), limits);
}
