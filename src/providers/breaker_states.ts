/**
 * The circuit breakers of this process (src/providers/resilience.ts) and their states — what `health` and
 * /readyz report and cryptorun_circuit_state exports. Light on purpose: health reads it without loading any
 * provider.
 */
export type BreakerState = "closed" | "open" | "half_open";

export interface BreakerStatus {
  provider: string;
  endpoint: string;
  state: BreakerState;
  /** When it last changed state (epoch ms). */
  since: number;
  /** The failure that opened it, when open. */
  lastError?: string;
}

const states = new Map<string, BreakerStatus>();

export function recordBreaker(s: BreakerStatus): void {
  states.set(`${s.provider}|${s.endpoint}`, s);
}

/** Every breaker this process has, sorted by provider and endpoint. */
export function breakerStatuses(): BreakerStatus[] {
  return [...states.values()].sort((a, b) =>
    a.provider === b.provider ? a.endpoint.localeCompare(b.endpoint) : a.provider.localeCompare(b.provider)
  );
}

/** Tests: forget every breaker. */
export function resetBreakerStatuses(): void {
  states.clear();
}
