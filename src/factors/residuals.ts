/**
 * Raw (pre-orthogonalisation) inputs of the later factors. Each is a plain number per symbol, roughly centred
 * on 0, from data CryptoRun actually has (spot bars, exchange-native books). Inputs the original also blends in
 * (ΔOI, reserves, ETF flow) are not available for spot venues and are left out rather than faked — see
 * docs/SCORING.md § Factors.
 */

/**
 * Technical raw: mean(RSI4h/100, ADX1h/100, Hurst) − 0.5 (DOMAIN.md §1: Technical = RSI4h/100, ADX1h/100,
 * Hurst). Missing components are dropped from the mean; 0 when all are missing.
 */
export function technicalRaw(rsi4h: number, adx1h: number, hurst: number): number {
  // Summed in this order from 0, like a reduce over the finite parts (the scan's hot path: no arrays).
  let sum = 0;
  let parts = 0;
  const r = rsi4h / 100, a = adx1h / 100;
  if (Number.isFinite(r)) {
    sum += r;
    parts++;
  }
  if (Number.isFinite(a)) {
    sum += a;
    parts++;
  }
  if (Number.isFinite(hurst)) {
    sum += hurst;
    parts++;
  }
  if (parts === 0) return 0;
  return sum / parts - 0.5;
}

/**
 * Volume raw (VolumeResidual input): volume surge = ln(24h notional ÷ average daily notional over 7d).
 * 0 = an ordinary day, ln 2 ≈ 0.69 = twice the weekly norm. 0 when either side is missing/zero.
 */
export function volumeRaw(notional24h: number, notional7d: number): number {
  if (!(notional24h > 0) || !(notional7d > 0)) return 0;
  return Math.log(notional24h / (notional7d / 7));
}

/**
 * Quality raw (QualityResidual input): mean of the venue-health inputs available — bar coverage over 7d
 * (present/expected − 1: 0 = no gaps) and, when a verified book exists, book health (−resyncs and checksum
 * failures per snapshot, capped). ≤ 0; 0 = a healthy, gap-free venue feed.
 */
export function qualityRaw(
  barsIn7d: number,
  book?: { checksum_failed?: number; resyncs?: number },
): number {
  const coverage = Math.min(1, barsIn7d / 168) - 1;
  // The mean of the parts, summed from 0 in this order (as the reduce it replaces did).
  if (!book) return 0 + coverage;
  const health = -Math.min(1, ((book.checksum_failed ?? 0) + (book.resyncs ?? 0)) / 10);
  return (0 + coverage + health) / 2;
}
