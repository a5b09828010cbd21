import { InputError, show } from "../../util/errors.ts";
import { type KrakenPair, pairsFromAssetPairs } from "./symbols.ts";
import type { Precision } from "./ws_messages.ts";

/** A saved /0/public/AssetPairs response (`--asset-pairs FILE`): the whole response or its `result`. */
export async function loadAssetPairsFile(path: string): Promise<KrakenPair[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    throw new InputError(`--asset-pairs ${show(path)}: cannot read (${(err as Error).name})`);
  }
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (err) {
    throw new InputError(`--asset-pairs ${show(path)}: not JSON (${(err as Error).message})`);
  }
  const o = obj as Record<string, unknown>;
  const result = o && typeof o === "object" && "result" in o ? o.result : o;
  if (!result || typeof result !== "object" || Array.isArray(result)) {
    throw new InputError(`--asset-pairs ${show(path)}: result: expected an object of pairs`);
  }
  try {
    return pairsFromAssetPairs(result as Record<string, unknown>);
  } catch (err) {
    throw new InputError(`--asset-pairs ${show(path)}: ${(err as Error).message}`);
  }
}

/** Price and quantity decimals per normalised symbol (what v2 book checksums need). */
export function precisionsOf(pairs: KrakenPair[]): Map<string, Precision> {
  return new Map(pairs.map((p) => [p.symbol, { price: p.pricePrecision, qty: p.qtyPrecision }]));
}
