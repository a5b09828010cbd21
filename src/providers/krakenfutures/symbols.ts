import { normalizeAsset } from "../../market/symbols.ts";

/**
 * Kraken Futures instrument names ↔ normalised pairs. `PF_XBTUSD` (multi-collateral linear perpetual, 1
 * contract = 1 unit of base) and `PI_XBTUSD` (inverse perpetual, 1 contract = 1 USD) both trade BTC/USD;
 * `FI_XBTUSD_210730` / `FF_…` are dated futures expiring on that day. Names are case-insensitive (the old
 * API and cryptofeed's recordings spell them in lower case).
 */

export interface KfInstrument {
  /** As Kraken spells it, upper-cased (PF_XBTUSD). */
  id: string;
  /** Normalised pair (BTC/USD). */
  symbol: string;
  kind: "perpetual" | "dated";
  /** PF_/FF_ linear (contracts in base), PI_/FI_ inverse (contracts in USD). */
  margin: "linear" | "inverse";
  /**
   * A dated future's last trading time (epoch ms): 16:00 London time on the day its name gives (see
   * `londonFourPm`); null for perpetuals. An instruments body's `lastTradingTime` is the venue's own word.
   */
  expiry: number | null;
}

const RE = /^(PF|PI|FI|FF)_([A-Z0-9]+?)(USD)(?:_(\d{2})(\d{2})(\d{2}))?$/;

/** A Kraken Futures instrument name → its parts; null when it is not a USD perpetual or future. */
export function parseInstrument(name: string): KfInstrument | null {
  const id = name.toUpperCase();
  const m = RE.exec(id);
  if (!m) return null;
  const [, prefix, base, quote, yy, mm, dd] = m;
  const perpetual = prefix === "PF" || prefix === "PI";
  if (perpetual === (yy !== undefined)) return null;
  return {
    id,
    symbol: `${normalizeAsset(base)}/${normalizeAsset(quote)}`,
    kind: perpetual ? "perpetual" : "dated",
    margin: prefix === "PF" || prefix === "FF" ? "linear" : "inverse",
    expiry: yy === undefined ? null : londonFourPm(2000 + Number(yy), Number(mm), Number(dd)),
  };
}

/** A normalised pair (BTC/USD) or a Kraken name → the linear perpetual's name (PF_XBTUSD). */
export function perpetualFor(symbol: string): string {
  if (/^(PF|PI)_/i.test(symbol)) return symbol.toUpperCase();
  const [base, quote] = symbol.split("/");
  if (!base || quote !== "USD") {
    throw new RangeError(`krakenfutures: ${JSON.stringify(symbol)} is not a USD pair (BTC/USD) or PF_… name`);
  }
  return `PF_${base === "BTC" ? "XBT" : base}USD`;
}

/** The hour (00–23) in London at an instant: the runtime's ICU time-zone data, not a hand-kept DST rule. */
const LONDON_HOUR = new Intl.DateTimeFormat("en-GB", {
  timeZone: "Europe/London",
  hour: "2-digit",
  hourCycle: "h23",
});

/**
 * 16:00 Europe/London on a day, as epoch ms: 15:00 UTC under British Summer Time, else 16:00 UTC. Kraken
 * Futures' dated contracts stop trading then: its live instruments recording (cryptofeed, 2021-07-22) gives
 * lastTradingTime 2021-07-30T15:00Z and 2021-09-24T15:00Z (BST) and 2021-12-31T16:00Z (GMT) for
 * fi_…_210730/_210924/_211231.
 */
export function londonFourPm(year: number, month: number, day: number): number {
  const utc16 = Date.UTC(year, month - 1, day, 16);
  // London is UTC+0 or UTC+1 all day long on a contract day (clocks change at 01:00 UTC on Sundays).
  const offsetH = Number(LONDON_HOUR.format(utc16)) - 16;
  return utc16 - offsetH * 3_600_000;
}
