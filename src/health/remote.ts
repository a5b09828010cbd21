import { redact } from "../log/redact.ts";

/** What a running `cryptorun serve` says about itself on /readyz, or why it could not be asked. */
export interface RemoteReadiness {
  ok: boolean;
  /** `OK` or `FAIL: <reason>` — the server's own summary line, or why the server did not answer. */
  summary: string;
  /** The /readyz JSON body when the server answered with one. */
  body?: unknown;
}

/**
 * Asks a running server for its readiness: GET <base>/readyz?format=json, within `timeoutMs`. 200 → OK,
 * 503 → the server's FAIL summary, anything else (no answer, another status, not JSON) → FAIL with the
 * reason. The URL is redacted in every message (it may carry credentials).
 */
export async function probeReadyz(
  base: URL,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<RemoteReadiness> {
  const url = new URL("readyz?format=json", base.href.endsWith("/") ? base : new URL(base.href + "/"));
  const where = redact(url.origin + url.pathname);
  const timeout = AbortSignal.timeout(timeoutMs);
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { accept: "application/json" },
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
  } catch (err) {
    const why = timeout.aborted
      ? `no answer within ${timeoutMs} ms`
      : redact(err instanceof Error ? err.message : String(err));
    return { ok: false, summary: `FAIL: server: ${where} unreachable: ${why}` };
  }
  const text = await res.text();
  let body: { status?: unknown; summary?: unknown } | undefined;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if ((res.status === 200 || res.status === 503) && body && typeof body.summary === "string") {
    return { ok: res.status === 200 && body.status === "ok", summary: redact(body.summary), body };
  }
  return {
    ok: false,
    summary: `FAIL: server: ${where} answered HTTP ${res.status} without a readiness report`,
  };
}
