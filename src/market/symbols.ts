/**
 * Symbol vocabulary shared by every venue, tier and reader: CryptoRun names a pair `BASE/QUOTE` with common
 * asset codes (`BTC/USD`). Venue adapters translate their own names (Kraken's AssetPairs keys, altnames and
 * WebSocket names: src/providers/kraken/symbols.ts) into this form; nothing here knows a venue's API.
 *
 * Asset codes as they appear in exchange data files are mapped here too, because recorded files (cold
 * `--input` CSVs, replays) carry them: the legacy X/Z-prefixed codes (`XXBT`, `ZUSD`) and the aliases `XBT`
 * (= BTC) and `XDG` (= DOGE).
 */

/** A normalised pair: BASE/QUOTE, upper-case letters and digits (the hot tier also admits a dot). */
export const PAIR_RE = /^[A-Z0-9.]+\/[A-Z0-9.]+$/;

/** A normalised USD pair: BASE/USD (upper-case letters and digits) — the cold tier's symbols. */
export const USD_PAIR_RE = /^[A-Z0-9]{1,15}\/USD$/;

/** Legacy asset codes (X = crypto, Z = fiat prefix) → modern code. Only these lose their prefix. */
export const LEGACY_ASSETS: Readonly<Record<string, string>> = {
  XXBT: "XBT",
  XETH: "ETH",
  XLTC: "LTC",
  XXRP: "XRP",
  XXLM: "XLM",
  XXMR: "XMR",
  XZEC: "ZEC",
  XETC: "ETC",
  XMLN: "MLN",
  XREP: "REP",
  XXDG: "XDG",
  XXTZ: "XTZ",
  XICN: "ICN",
  XDAO: "DAO",
  XNMC: "NMC",
  XXVN: "XVN",
  ZUSD: "USD",
  ZEUR: "EUR",
  ZGBP: "GBP",
  ZJPY: "JPY",
  ZCAD: "CAD",
  ZAUD: "AUD",
  ZCHF: "CHF",
  ZKRW: "KRW",
};

/** Aliases → the names everyone else uses. */
export const ASSET_ALIASES: Readonly<Record<string, string>> = { XBT: "BTC", XDG: "DOGE" };

/** One asset code (legacy or modern, venue or normalised) → normalised code. */
export function normalizeAsset(code: string): string {
  const c = LEGACY_ASSETS[code] ?? code;
  return ASSET_ALIASES[c] ?? c;
}

/** A strict `BASE/QUOTE` name ("XBT/USD", "BTC/USD") → "BTC/USD"; RangeError when it is not BASE/QUOTE. */
export function normalizePair(name: string): string {
  const parts = name.split("/");
  if (parts.length !== 2 || !parts[0] || !parts[1]) {
    throw new RangeError(`not a BASE/QUOTE pair name: ${name}`);
  }
  return `${normalizeAsset(parts[0])}/${normalizeAsset(parts[1])}`;
}

/**
 * A pair name as people and files write it: trims, upper-cases, `-`/`_` → `/`, asset codes and aliases →
 * common ones (`xbt-usd` → `BTC/USD`, `XXBT/ZUSD` → `BTC/USD`). A name that is not two parts is returned
 * upper-cased and trimmed, for the caller's check (e.g. USD_PAIR_RE) to refuse.
 */
export function normalizeSymbol(s: string): string {
  const up = s.trim().toUpperCase().replace(/[-_]/, "/");
  const parts = up.split("/");
  return parts.length === 2 ? `${normalizeAsset(parts[0])}/${normalizeAsset(parts[1])}` : up;
}
