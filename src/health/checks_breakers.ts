import { breakerStatuses } from "../providers/breaker_states.ts";
import type { CheckResult, HealthInput } from "./check.ts";

/**
 * Circuit breakers of this process's provider endpoints (src/providers/resilience.ts): fails while any is
 * open, reports half-open ones. A `cryptorun health` process calls no provider, so it has none to report;
 * `serve`'s /readyz and /health see the breakers of its jobs.
 */
export function circuitBreakersCheck(_input: HealthInput): Promise<CheckResult> {
  const all = breakerStatuses();
  const open = all.filter((b) => b.state === "open");
  const half = all.filter((b) => b.state === "half_open");
  const details = { breakers: all };
  if (all.length === 0) {
    return Promise.resolve({
      name: "circuit_breakers",
      ok: true,
      reason: "no provider endpoint called in this process",
      details,
    });
  }
  if (open.length) {
    return Promise.resolve({
      name: "circuit_breakers",
      ok: false,
      reason: `open: ${
        open.map((b) => `${b.provider} ${b.endpoint}${b.lastError ? ` (${b.lastError})` : ""}`).join(", ")
      }`,
      details,
    });
  }
  return Promise.resolve({
    name: "circuit_breakers",
    ok: true,
    reason: `${all.length} closed${
      half.length ? `, half-open: ${half.map((b) => `${b.provider} ${b.endpoint}`).join(", ")}` : ""
    }`,
    details,
  });
}
