import { type CallPolicy, runCall } from "./call.ts";
import type { Db } from "./db.ts";
import { validAsOf } from "./read_args.ts";
import { type RegimeRepo, type RegimeSnapshot, RegimeSnapshotSchema } from "./types.ts";
import { parseRow } from "./validate.ts";

/** The regime snapshot repository (spec B1.2): one row per decision time, PIT `latest(asOf)`. */
export function newRegimeRepo(db: Db, policy: CallPolicy): RegimeRepo {
  const sql = db.sql;
  return {
    async upsert(input, opts) {
      const r = parseRow(RegimeSnapshotSchema, input, "regime.upsert");
      await runCall("regime", "upsert", policy, opts, (a) =>
        a.track(sql`
          insert into regime_snapshots (ts, realized_vol_7d, pct_above_20ma, breadth_thrust, regime, weights)
          values (${r.ts}, ${r.realized_vol_7d}, ${r.pct_above_20ma}, ${r.breadth_thrust}, ${r.regime},
                  (${JSON.stringify(r.weights)}::text)::jsonb)
          on conflict (ts) do update set
            realized_vol_7d = excluded.realized_vol_7d, pct_above_20ma = excluded.pct_above_20ma,
            breadth_thrust = excluded.breadth_thrust, regime = excluded.regime, weights = excluded.weights`));
    },

    async latest(asOf, opts): Promise<RegimeSnapshot | null> {
      const at = validAsOf("regime.latest", asOf);
      const rows = await runCall("regime", "latest", policy, opts, (a) =>
        a.track(sql`
          select ts, realized_vol_7d, pct_above_20ma, breadth_thrust, regime, weights
          from regime_snapshots where ts <= ${at} order by ts desc limit 1`));
      if (rows.length === 0) return null;
      // Parse what the database returned: a row another writer stored outside the schema fails loudly.
      return parseRow(RegimeSnapshotSchema, { ...rows[0] }, "regime.latest (stored row)");
    },
  };
}
