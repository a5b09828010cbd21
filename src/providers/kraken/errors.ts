/**
 * Kraken REST failures as typed errors. Kraken answers HTTP 200 with an `error` array for most API errors
 * ("EAPI:Rate limit exceeded", "EQuery:Unknown asset pair", …); HTTP errors (5xx, 429) come from its edge.
 */

export type KrakenErrorKind =
  | "rate_limit"
  | "unavailable"
  | "invalid_arguments"
  | "query"
  | "http"
  | "network"
  | "other";

export class KrakenError extends Error {
  override name = "KrakenError";
  constructor(
    message: string,
    readonly kind: KrakenErrorKind,
    /** Retried with backoff? (5xx, 429, rate limit, service unavailable/busy, network). */
    readonly retryable: boolean,
    readonly endpoint: string,
    /** Kraken's error strings, verbatim. */
    readonly krakenErrors: string[] = [],
    readonly status?: number,
    /** Seconds from a Retry-After header, when given. */
    readonly retryAfterSec?: number,
  ) {
    super(message);
  }
}

/** Classifies Kraken's `error` array. */
export function classifyKrakenErrors(errors: string[]): { kind: KrakenErrorKind; retryable: boolean } {
  const has = (re: RegExp) => errors.some((e) => re.test(e));
  if (has(/^EAPI:Rate limit exceeded/i)) return { kind: "rate_limit", retryable: true };
  if (has(/^EService:(Unavailable|Busy)/i)) return { kind: "unavailable", retryable: true };
  if (has(/^EGeneral:Invalid arguments/i)) return { kind: "invalid_arguments", retryable: false };
  if (has(/^EQuery:/i)) return { kind: "query", retryable: false };
  return { kind: "other", retryable: false };
}

export function apiError(endpoint: string, errors: string[]): KrakenError {
  const { kind, retryable } = classifyKrakenErrors(errors);
  return new KrakenError(`kraken ${endpoint}: ${errors.join("; ")}`, kind, retryable, endpoint, errors);
}

export function httpError(endpoint: string, status: number, retryAfter: string | null): KrakenError {
  const retryable = status === 429 || status >= 500;
  const sec = retryAfter !== null && /^\d+(\.\d+)?$/.test(retryAfter.trim()) ? Number(retryAfter) : undefined;
  return new KrakenError(
    `kraken ${endpoint}: HTTP ${status}`,
    status === 429 ? "rate_limit" : "http",
    retryable,
    endpoint,
    [],
    status,
    sec,
  );
}
