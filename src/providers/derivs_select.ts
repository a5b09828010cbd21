import { type DerivsParse, type DerivsRow, filterParse, PERPETUAL } from "../market/derivs.ts";
import { normalizeSymbol, USD_PAIR_RE } from "../market/symbols.ts";
import { InputError, show, UsageError } from "../util/errors.ts";
import type { DerivsVenue } from "./derivs_port.ts";

/**
 * `--symbols X` of a replay (`derivs show --replay`, `ingest --replay`) as a filter over EVERY row kind the
 * file yields (funding prints, snapshots, candles, dated futures), not only over the bodies that need a
 * symbol to parse. X is a venue instrument or a normalised pair:
 *  - a perpetual's name (PF_XBTUSD, PI_XBTUSD, BTCUSDT, BTC-USDT-SWAP) → that pair's `perpetual` rows;
 *  - a dated future's name (FI_XBTUSD_210924, BTCUSDT_250627, BTC-USD-250627, BIT-24APR26-CDE) → its rows;
 *  - a pair (BTC/USD, xbt-usd) → every contract of the pair.
 */
export interface ReplaySelector {
  /** As given. */
  raw: string;
  symbol?: string;
  /** Only this contract (`perpetual` or a dated name); undefined = every contract of `symbol`. */
  contract?: string;
}

/** The selector of `--symbols` for `venue` (loads only that venue's name rules). */
export async function replaySelector(venue: DerivsVenue, raw: string): Promise<ReplaySelector> {
  const name = raw.trim();
  if (name === "") throw new UsageError(`--symbols: empty`);
  switch (venue) {
    case "krakenfutures": {
      const { parseInstrument } = await import("./krakenfutures/symbols.ts");
      const i = parseInstrument(name);
      if (i) return { raw, symbol: i.symbol, contract: i.kind === "dated" ? i.id : PERPETUAL };
      break;
    }
    case "binance": {
      const { binanceContract, binanceSymbol } = await import("./binance_usdm/parse.ts");
      const s = binanceSymbol(name);
      if (s) return { raw, symbol: s, contract: binanceContract(name).contract };
      break;
    }
    case "okx": {
      const { okxContract, okxSymbol } = await import("./okx/parse.ts");
      const s = okxSymbol(name.toUpperCase());
      if (s) return { raw, symbol: s, contract: okxContract(name.toUpperCase()).contract };
      break;
    }
    case "coinbase":
      // A product id names a dated contract only through the body (its rows carry it as `contract`).
      if (/^[A-Z0-9]+-[A-Z0-9]+-CDE$/i.test(name)) return { raw, contract: name.toUpperCase() };
      break;
  }
  const pair = normalizeSymbol(name);
  if (USD_PAIR_RE.test(pair)) return { raw, symbol: pair };
  throw new UsageError(
    `--symbols: ${show(raw)} is neither a ${venue} instrument nor a USD pair like BTC/USD`,
  );
}

const matches = (sel: ReplaySelector) => (r: DerivsRow) =>
  (sel.symbol === undefined || r.symbol === sel.symbol) &&
  (sel.contract === undefined || r.contract === sel.contract);

/**
 * The parse with only the selected rows and quarantined values. Nothing selected is an InputError naming
 * the symbol and the file (a run that did nothing it was asked to), listing what the file does hold.
 */
export function selectReplay(p: DerivsParse, sel: ReplaySelector, file: string): DerivsParse {
  const out = filterParse(p, matches(sel));
  if (out.rows.length === 0 && out.quarantined.length === 0 && (p.rows.length || p.quarantined.length)) {
    const held = [
      ...new Set(
        [...p.rows, ...p.quarantined.map((q) => q.row)].map((r) =>
          r.contract === PERPETUAL ? r.symbol : `${r.symbol} ${r.contract}`
        ),
      ),
    ].sort();
    throw new InputError(
      `--symbols ${sel.raw}: no row of it in ${file} (it holds ${held.slice(0, 10).join(", ")}${
        held.length > 10 ? ", …" : ""
      })`,
    );
  }
  return out;
}
