import type { MicrostructureSnapshot } from "../../market/snapshot.ts";

/**
 * Hot tier active-active across regions (issue 17, spec A3.1; pure): every region's session verifies its own
 * books (CRC32 checksums) and writes them to its own hot directory; a read serves, per symbol, the FRESHEST
 * verified book. When two regions' books disagree — mids further apart than `toleranceBps`, or one's bid above
 * the other's ask — nobody can tell which is right, so "worst feed wins": the answer is only as fresh as the
 * oldest of the disagreeing books (its observed time is theirs), a freshness penalty that makes the door call
 * it stale sooner and fall through to the next source.
 */

export interface BookCandidate {
  region: string;
  snap: MicrostructureSnapshot;
}

export interface BookChoice {
  served: BookCandidate;
  /** The answer's observed time: the served book's, or the oldest disagreeing book's (worst-feed-wins). */
  observedAt: number;
  /** served.ts − observedAt (0 when the regions agree). */
  penaltyMs: number;
  /** Regions whose book disagrees with the served one. */
  disagree: string[];
}

export function booksDisagree(
  a: MicrostructureSnapshot,
  b: MicrostructureSnapshot,
  toleranceBps: number,
): boolean {
  if (a.best_bid > b.best_ask || b.best_bid > a.best_ask) return true;
  return (Math.abs(a.mid - b.mid) / Math.min(a.mid, b.mid)) * 10_000 > toleranceBps;
}

export function selectBook(candidates: readonly BookCandidate[], toleranceBps: number): BookChoice | null {
  if (candidates.length === 0) return null;
  let served = candidates[0];
  for (const c of candidates) {
    if (c.snap.ts > served.snap.ts || (c.snap.ts === served.snap.ts && c.region < served.region)) served = c;
  }
  let observedAt = served.snap.ts;
  const disagree: string[] = [];
  for (const c of candidates) {
    if (c === served || !booksDisagree(served.snap, c.snap, toleranceBps)) continue;
    disagree.push(c.region);
    observedAt = Math.min(observedAt, c.snap.ts);
  }
  return { served, observedAt, penaltyMs: served.snap.ts - observedAt, disagree: disagree.sort() };
}
