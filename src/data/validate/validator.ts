import type { ValidateConfig } from "../../config/sections/validate.ts";
import type { CheckName, Finding } from "./findings.ts";
import { RollingWindow } from "./rolling.ts";

/**
 * The bar validator (pure, stateful per symbol): feed bars of each symbol in ts order; each bar is checked
 * against
 *  - schema: open/high/low/close/volume finite, high ≥ max(open, close), low ≤ min(open, close), volume ≥ 0;
 *  - staleness: ts not later than now + max_skew_s, not earlier than the symbol's previous bar, and (live
 *    rows, when a receive time is given) |receive time − exchange ts| ≤ max_skew_s;
 *  - anomalies: the robust z-score of ln(price) (close, high, low) and ln(volume) against the median of the
 *    symbol's TRAILING window (the `window` bars before it, never itself or later ones: PIT), scaled by
 *    max(1.4826·MAD, min_scale) (the floor keeps a quiet week from turning an ordinary 5% move into an
 *    "anomaly"; it also covers a flat illiquid series whose MAD is 0); flagged when |z| > mad_z (volume: z > mad_z — a quiet hour is not an anomaly; a bar with
 *    volume 0 gets no volume score). No score before `min_window` earlier bars.
 * A bar failing a schema or order check does not enter the window; every other bar does (flagged or not), so
 * a one-bar spike flags that bar and not the next, and a lasting level shift stops being flagged once it is
 * the window's median.
 */

export type ValidateParams = Pick<
  ValidateConfig,
  "mad_z" | "window" | "min_window" | "min_scale" | "volume" | "max_skew_s"
>;

export interface BarValidatorOptions {
  /** The clock of the future-ts check (default Date.now). */
  now?: () => number;
}

interface Series {
  last: number;
  price: RollingWindow;
  volume: RollingWindow;
}

const MAD_SCALE = 1.4826;

/** (x − median) / max(1.4826·MAD, floor) of the trailing window. */
function robustZ(w: RollingWindow, x: number, floor: number): number | null {
  const med = w.median();
  const scale = Math.max(MAD_SCALE * w.mad(med), floor);
  if (!(scale > 0)) return null;
  return (x - med) / scale;
}

const round = (z: number) => Math.round(z * 1000) / 1000;

function add(
  out: Finding[],
  ts: number,
  symbol: string,
  check: CheckName,
  field: string,
  value: number | null,
  score: number | null = null,
): void {
  out.push({ ts, symbol, check, field, value: value === null || Number.isNaN(value) ? null : value, score });
}

export class BarValidator {
  private series = new Map<string, Series>();
  private now: () => number;

  constructor(readonly p: ValidateParams, o: BarValidatorOptions = {}) {
    this.now = o.now ?? Date.now;
  }

  /** Whether the symbol has any history (seeded or checked). */
  knows(symbol: string): boolean {
    return this.series.has(symbol);
  }

  private state(symbol: string): Series {
    let s = this.series.get(symbol);
    if (!s) {
      s = {
        last: -Infinity,
        price: new RollingWindow(this.p.window),
        volume: new RollingWindow(this.p.window),
      };
      this.series.set(symbol, s);
    }
    return s;
  }

  /** Adds an earlier, already stored bar to the symbol's window without checking it (history before a write). */
  seed(symbol: string, ts: number, close: number, volume: number): void {
    const s = this.state(symbol);
    if (!(ts > s.last) || !(close > 0) || !Number.isFinite(close)) return;
    s.last = ts;
    s.price.push(Math.log(close));
    if (volume > 0 && Number.isFinite(volume)) s.volume.push(Math.log(volume));
  }

  /**
   * Checks one bar, appending its findings to `out`; returns how many it appended. `receivedAt`: when the
   * row was received (live rows: the skew check).
   */
  checkBar(
    ts: number,
    symbol: string,
    open: number,
    high: number,
    low: number,
    close: number,
    volume: number,
    out: Finding[],
    receivedAt?: number,
  ): number {
    const n0 = out.length;
    // The hot path allocates nothing for a clean bar (10 M rows: see bench/validate_throughput.ts).
    if (
      !(Number.isFinite(open) && Number.isFinite(high) && Number.isFinite(low) && Number.isFinite(close) &&
        Number.isFinite(volume))
    ) {
      const vals = [open, high, low, close, volume];
      const names = ["open", "high", "low", "close", "volume"];
      for (let i = 0; i < 5; i++) {
        if (typeof vals[i] !== "number" || !Number.isFinite(vals[i])) {
          add(out, ts, symbol, "non_finite", names[i], null);
        }
      }
    } else {
      if (high < (open > close ? open : close)) add(out, ts, symbol, "high_below_body", "high", high);
      if (low > (open < close ? open : close)) add(out, ts, symbol, "low_above_body", "low", low);
      if (volume < 0) add(out, ts, symbol, "negative_volume", "volume", volume);
    }
    const skewMs = this.p.max_skew_s * 1000;
    if (ts > this.now() + skewMs) add(out, ts, symbol, "future_ts", "ts", ts);
    if (receivedAt !== undefined && Math.abs(receivedAt - ts) > skewMs) {
      add(out, ts, symbol, "skew", "ts", ts, round((receivedAt - ts) / 1000));
    }
    const s = this.state(symbol);
    if (ts < s.last) {
      add(out, ts, symbol, "out_of_order", "ts", ts);
      return out.length - n0;
    }
    if (out.length > n0 || !(close > 0)) return out.length - n0;
    // Anomalies against the trailing window (earlier bars only), then the bar joins it.
    const lc = Math.log(close);
    if (s.price.length >= this.p.min_window) {
      const med = s.price.median();
      const scale = Math.max(MAD_SCALE * s.price.mad(med), this.p.min_scale);
      if (scale > 0) {
        // One price finding per bar: close first, else the wick (high, then low).
        const zc = (lc - med) / scale;
        if (Math.abs(zc) > this.p.mad_z) add(out, ts, symbol, "price_mad", "close", close, round(zc));
        else if (high > 0 && (Math.log(high) - med) / scale > this.p.mad_z) {
          add(out, ts, symbol, "price_mad", "high", high, round((Math.log(high) - med) / scale));
        } else if (low > 0 && (Math.log(low) - med) / scale < -this.p.mad_z) {
          add(out, ts, symbol, "price_mad", "low", low, round((Math.log(low) - med) / scale));
        }
      }
    }
    const lv = volume > 0 ? Math.log(volume) : NaN;
    if (this.p.volume && volume > 0 && s.volume.length >= this.p.min_window) {
      const z = robustZ(s.volume, lv, this.p.min_scale);
      if (z !== null && z > this.p.mad_z) add(out, ts, symbol, "volume_mad", "volume", volume, round(z));
    }
    s.last = ts;
    s.price.push(lc);
    if (volume > 0) s.volume.push(lv);
    return out.length - n0;
  }

  /** checkBar on a row record (null/absent values are NaN). */
  checkRow(row: Record<string, unknown>, out: Finding[], receivedAt?: number): number {
    const n = (k: string) => (typeof row[k] === "number" ? row[k] as number : NaN);
    return this.checkBar(
      n("ts"),
      String(row.symbol ?? ""),
      n("open"),
      n("high"),
      n("low"),
      n("close"),
      n("volume"),
      out,
      receivedAt,
    );
  }
}
