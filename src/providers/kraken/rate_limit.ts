/**
 * Kraken's REST rate-limit counter model (docs.kraken.com "Spot REST rate limits"): every call adds to a
 * counter (cost 1; ledger/trade-history calls 2), the counter decays continuously at the tier's rate, and a
 * call that would push it over the tier's maximum is refused with "EAPI:Rate limit exceeded". We keep the
 * same counter client-side, per endpoint, and wait until the call fits instead of getting refused (and
 * eventually banned). Pure: time is injected.
 */

export type KrakenTier = "starter" | "intermediate" | "pro";

export const TIER_LIMITS: Readonly<Record<KrakenTier, { max: number; decayPerSec: number }>> = {
  starter: { max: 15, decayPerSec: 0.33 },
  intermediate: { max: 20, decayPerSec: 0.5 },
  pro: { max: 20, decayPerSec: 1 },
};

export interface CounterModel {
  /**
   * Reserves `cost` at time `now` (ms): returns how long to wait (ms) before the call may go out. The
   * reservation is committed (counted as of the moment the wait ends).
   */
  reserve(now: number, cost?: number): number;
  /** Budget left at `now`: max − counter. */
  remaining(now: number): number;
  /** Kraken refused a call: assume the counter is full. */
  saturate(now: number): void;
}

export function createCounter(max: number, decayPerSec: number): CounterModel {
  if (!(max > 0) || !(decayPerSec > 0)) throw new RangeError(`rate limit: max and decay must be > 0`);
  let counter = 0;
  let at = 0; // time the counter value refers to (ms)
  const decayTo = (now: number) => {
    if (now > at) {
      counter = Math.max(0, counter - ((now - at) / 1000) * decayPerSec);
      at = now;
    }
  };
  return {
    reserve(now, cost = 1) {
      decayTo(now);
      const over = counter + cost - max;
      // at may be in the future (earlier reservations that still wait): the wait is measured from `at`.
      const waitFromAt = over > 0 ? (over / decayPerSec) * 1000 : 0;
      const readyAt = Math.max(now, at) + waitFromAt;
      if (readyAt > at) {
        counter = Math.max(0, counter - ((readyAt - at) / 1000) * decayPerSec);
        at = readyAt;
      }
      counter += cost;
      return Math.max(0, readyAt - now);
    },
    remaining(now) {
      decayTo(now);
      return Math.max(0, max - counter);
    },
    saturate(now) {
      decayTo(now);
      counter = max;
      at = Math.max(at, now);
    },
  };
}
