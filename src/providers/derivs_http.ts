import { InputError } from "../util/errors.ts";
import { parseBody } from "./derivs_json.ts";
import { httpDateMs } from "../util/time.ts";

/**
 * The one way derivatives adapters call a venue: GET a URL, answer its JSON body (HTML or other text is a
 * clear error). Adapters take this as a port; src/providers/resilience.ts wraps it with retry and a circuit
 * breaker per endpoint.
 */
export type GetJson = (
  url: string,
  endpoint: string,
  signal?: AbortSignal,
  /** A POST with this JSON body instead of a GET (GraphQL). */
  postBody?: string,
) => Promise<unknown>;

/** An HTTP failure with its status (and Retry-After in seconds, when the venue sent one). */
export class HttpStatusError extends Error {
  override name = "HttpStatusError";
  constructor(
    message: string,
    readonly status: number,
    readonly retryAfterSec: number | undefined,
  ) {
    super(message);
  }
}

/** Retry-After as seconds: a number of seconds or an HTTP date (relative to `now`). */
export function retryAfterSeconds(h: string | null, now = Date.now()): number | undefined {
  if (h === null) return undefined;
  const t = h.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  const at = httpDateMs(t);
  return Number.isFinite(at) ? Math.max(0, (at - now) / 1000) : undefined;
}

/** Plain fetch with a timeout (no retry: see resilience.ts). */
export function fetchJson(
  o: { timeoutMs: number; fetch?: typeof fetch; headers?: () => Record<string, string> },
): GetJson {
  const f = o.fetch ?? fetch;
  return async (url, endpoint, signal, postBody) => {
    const timeout = AbortSignal.timeout(o.timeoutMs);
    const headers = {
      ...o.headers?.(),
      ...(postBody === undefined ? {} : { "content-type": "application/json" }),
    };
    const res = await f(url, {
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      headers,
      ...(postBody === undefined ? {} : { method: "POST", body: postBody }),
    });
    const text = await res.text();
    if (!res.ok) {
      throw new HttpStatusError(
        `${endpoint}: HTTP ${res.status}`,
        res.status,
        retryAfterSeconds(res.headers.get("retry-after")),
      );
    }
    if (text === "") throw new InputError(`${endpoint}: empty response body`);
    return parseBody(text, endpoint);
  };
}
