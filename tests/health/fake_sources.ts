import { loadConfig } from "../../src/config/load.ts";
import type { Config } from "../../src/config/schema.ts";
import type { ColdFreshness, HealthSources, HotSnapshot, WarmFreshness } from "../../src/health/sources.ts";
import type { ComponentStatus } from "../../src/health/status_store.ts";

/** The embedded defaults (no file), with per-section tweaks. */
export async function defaultConfig(tweak: (c: Config) => void = () => {}): Promise<Config> {
  const { config } = await loadConfig({ configPath: "/nonexistent/cryptorun.yaml", env: {} });
  tweak(config);
  return config;
}

export interface FakeState {
  cold?: ColdFreshness;
  hot?: HotSnapshot[] | null;
  /** Stored warm responses' fetch times (null: no warm source configured). */
  warm?: number[] | null;
  dbError?: Error;
  statuses?: ComponentStatus[];
  invalid?: string[];
  pings: number;
  hotAsOf: number[];
}

/** In-memory HealthSources: the same narrow interface the real adapters implement. */
export function fakeSources(state: Partial<FakeState> = {}): HealthSources & { state: FakeState } {
  const s: FakeState = { pings: 0, hotAsOf: [], ...state };
  return {
    state: s,
    coldStats: () => Promise.resolve(s.cold ?? { rows: 0, minTs: null, maxTs: null, perSymbol: {} }),
    hotSnapshots(_venue, asOf) {
      s.hotAsOf.push(asOf);
      if (s.hot === null) return Promise.resolve(null);
      // PIT like the real store: per symbol the latest snapshot with ts <= asOf.
      const m = new Map<string, HotSnapshot>();
      for (const snap of s.hot ?? []) {
        if (snap.ts > asOf) continue;
        const cur = m.get(snap.symbol);
        if (!cur || snap.ts >= cur.ts) m.set(snap.symbol, snap);
      }
      return Promise.resolve(m);
    },
    warmEntries(_venue, asOf): Promise<WarmFreshness | null> {
      if (s.warm === null) return Promise.resolve(null);
      const seen = (s.warm ?? []).filter((t) => t <= asOf);
      return Promise.resolve({
        sources: ["warm:kraken_rest"],
        entries: seen.length,
        newestTs: seen.length ? Math.max(...seen) : null,
      });
    },
    pingDatabase() {
      s.pings++;
      return s.dbError ? Promise.reject(s.dbError) : Promise.resolve();
    },
    componentStatuses: () => Promise.resolve({ statuses: s.statuses ?? [], invalid: s.invalid ?? [] }),
    close: () => Promise.resolve(),
  };
}
