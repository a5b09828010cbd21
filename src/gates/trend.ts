import { failed, type GateResult, num, passed, unknown } from "./types.ts";

/** Bars ADX(1h,14) needs: 2n+1 (src/factors/indicators.ts `adx`). */
const ADX_MIN_BARS = 2 * 14 + 1;
/** Bars Hurst needs: its 128-return window + 1 (src/factors/indicators.ts `hurst`). */
const HURST_MIN_BARS = 128 + 1;

/** Trend quality: ADX(1h,14) ≥ adxMin OR Hurst ≥ hurstMin (inclusive). */
export function trendGate(adx: number, hurst: number, adxMin: number, hurstMin: number): GateResult {
  const a = Number.isFinite(adx), h = Number.isFinite(hurst);
  if (!a && !h) {
    return unknown(
      "trend",
      adxMin,
      `ADX and Hurst n/a: ADX(1h,14) needs ≥${ADX_MIN_BARS} bars and Hurst ≥${HURST_MIN_BARS} bars of history`,
    );
  }
  const desc = `ADX ${a ? num(adx, 1) : "n/a"} (min ${adxMin}), Hurst ${
    h ? num(hurst) : "n/a"
  } (min ${hurstMin})`;
  if ((a && adx >= adxMin) || (h && hurst >= hurstMin)) return passed("trend", a ? adx : hurst, adxMin, desc);
  return failed("trend", a ? adx : hurst, adxMin, `no trend: ${desc}`);
}
