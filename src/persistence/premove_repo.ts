import { InputError } from "../util/errors.ts";
import { type CallPolicy, runCall } from "./call.ts";
import type { Db } from "./db.ts";
import { validRange, validSymbol } from "./read_args.ts";
import { type PremoveArtifact, PremoveArtifactSchema, type PremoveRepo } from "./types.ts";
import { parseRow } from "./validate.ts";

/** The premove artifact repository (spec B1.2): one row per (ts, symbol), PIT `window(range)`. */
export function newPremoveRepo(db: Db, policy: CallPolicy): PremoveRepo {
  const sql = db.sql;
  return {
    async upsert(input, opts) {
      const p = parseRow(PremoveArtifactSchema, input, "premove.upsert");
      await runCall("premove", "upsert", policy, opts, (a) =>
        a.track(sql`
          insert into premove_artifacts (ts, symbol, gate_a, gate_b, gate_c, score, factors)
          values (${p.ts}, ${p.symbol}, ${p.gate_a}, ${p.gate_b}, ${p.gate_c}, ${p.score},
                  (${JSON.stringify(p.factors)}::text)::jsonb)
          on conflict (ts, symbol) do update set
            gate_a = excluded.gate_a, gate_b = excluded.gate_b, gate_c = excluded.gate_c,
            score = excluded.score, factors = excluded.factors`));
    },

    async window(range, opts): Promise<PremoveArtifact[]> {
      const r = validRange("premove.window", range);
      const symbols = opts?.symbols?.map((s) => validSymbol("premove.window", s));
      if (symbols && symbols.length === 0) {
        throw new InputError("premove.window: symbols: empty list (omit it for every symbol)");
      }
      const rows = await runCall("premove", "window", policy, opts, (a) =>
        a.track(sql`
          select ts, symbol, gate_a, gate_b, gate_c, score, coalesce(factors, '{}'::jsonb) as factors
          from premove_artifacts
          where ts >= ${new Date(r.from)} and ts <= ${new Date(r.to)}
            ${symbols ? sql`and symbol = any(${symbols}::text[])` : sql``}
          order by ts, symbol`));
      return rows.map((row, i) =>
        parseRow(PremoveArtifactSchema, { ...row }, "premove.window (stored row)", i)
      );
    },
  };
}
