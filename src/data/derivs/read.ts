import type { Config } from "../../config/schema.ts";
import type { Logger } from "../../log/logger.ts";
import type { DerivsRow } from "../../market/derivs.ts";
import type { DoorAnswer } from "../door/door.ts";
import { type MarketDoor, openMarketDoor } from "../door/open.ts";

/** Stored derivatives history of one venue through the data door (kind `derivs`; PIT: nothing after `to`). */
export async function readStoredDerivs(
  deps: {
    config: Config;
    dataDir: string;
    env: Record<string, string>;
    log: Logger;
    signal: AbortSignal;
    door?: MarketDoor;
  },
  venue: string,
  symbols: string[],
  range: { from: number; to: number },
): Promise<Map<string, DoorAnswer<DerivsRow>>> {
  const door = deps.door ?? openMarketDoor(deps.config, deps.dataDir, deps.env, { log: deps.log });
  try {
    const read = await door.read("derivs", {
      venue,
      symbols,
      from: range.from,
      to: range.to,
      signal: deps.signal,
    });
    return read.answers;
  } finally {
    if (!deps.door) await door.close();
  }
}
