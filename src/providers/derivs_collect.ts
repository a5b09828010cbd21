import type { DerivsParse, DerivsRow } from "../market/derivs.ts";
import {
  annualizeBasis,
  annualizeFunding,
  basisOf,
  type DerivsLimits,
  orNull,
  screenRow,
} from "../market/derivs_math.ts";

const DAY_MS = 86_400_000;

/**
 * Collects one venue's rows from several bodies: rows of the same key (ts, symbol, record, contract) are merged
 * (a premium-index body and an open-interest body of one moment make one snapshot row; a funding print and a
 * snapshot of the same moment stay two rows), then each is completed and screened (quarantine) once.
 */
export class RowCollector {
  private rows = new Map<string, DerivsRow>();
  readonly out: DerivsParse = { rows: [], quarantined: [], skipped: [] };

  add(r: DerivsRow): void {
    const key = `${r.ts}|${r.symbol}|${r.record}|${r.contract}`;
    const cur = this.rows.get(key);
    if (!cur) {
      this.rows.set(key, { ...r });
      return;
    }
    for (const [k, v] of Object.entries(r) as [keyof DerivsRow, unknown][]) {
      if (v !== null && (cur[k] === null || cur[k] === undefined)) {
        (cur as unknown as Record<string, unknown>)[k] = v;
      }
    }
  }

  skip(what: string, reason: string): void {
    this.out.skipped.push({ what, reason });
  }

  /** Completes derived values (annualised funding, basis) and screens every row. */
  finish(limits: DerivsLimits): DerivsParse {
    const sorted = [...this.rows.values()].sort((a, b) =>
      a.ts - b.ts || cmp(a.symbol, b.symbol) || cmp(a.record, b.record) || cmp(a.contract, b.contract)
    );
    for (const r of sorted) {
      if (
        r.funding_rate_relative !== null && r.funding_interval_h !== null &&
        r.funding_rate_annualized === null
      ) {
        r.funding_rate_annualized = orNull(annualizeFunding(r.funding_rate_relative, r.funding_interval_h));
      }
      if (r.basis === null && r.mark_price !== null && r.index_price !== null) {
        r.basis = orNull(basisOf(r.mark_price, r.index_price));
      }
      // A dated future's basis over its tenor at ts (expiry − ts); perpetuals have none.
      if (r.basis_annualized === null && r.basis !== null && r.expiry !== null) {
        r.basis_annualized = annualizeBasis(r.basis, (r.expiry - r.ts) / DAY_MS);
      }
      const q = screenRow(r, limits);
      if (q) this.out.quarantined.push(q);
      else this.out.rows.push(r);
    }
    return this.out;
  }
}

const cmp = (a: string, b: string) => a < b ? -1 : a > b ? 1 : 0;

/** The interval (hours) between consecutive funding times of one symbol: the most common spacing. */
export function spacingHours(times: number[]): number | null {
  const t = [...new Set(times)].sort((a, b) => a - b);
  if (t.length < 2) return null;
  const counts = new Map<number, number>();
  for (let i = 1; i < t.length; i++) {
    const h = Math.round((t[i] - t[i - 1]) / 3_600_000);
    if (h > 0) counts.set(h, (counts.get(h) ?? 0) + 1);
  }
  let best: number | null = null;
  for (const [h, n] of counts) {
    if (best === null || n > counts.get(best)! || (n === counts.get(best)! && h < best)) best = h;
  }
  return best;
}

/** Normalised USD pair of a base asset, for USD-, USDT- and USDC-margined contracts alike. */
export const usdPair = (base: string) => `${base === "XBT" ? "BTC" : base}/USD`;
