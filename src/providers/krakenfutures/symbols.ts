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
  /** Expiry day of a dated future (epoch ms at 00:00 UTC of the day its name gives); null for perpetuals. */
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
    expiry: yy === undefined ? null : Date.UTC(2000 + Number(yy), Number(mm) - 1, Number(dd)),
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
