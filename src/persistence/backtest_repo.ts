import { z } from "zod";
import { InputError } from "../util/errors.ts";
import { type CallPolicy, runCall } from "./call.ts";
import type { Db } from "./db.ts";
import { validRange } from "./read_args.ts";
import { inTransaction } from "./transaction.ts";
import {
  type BacktestRepo,
  PositionSchema,
  type ReturnRow,
  ReturnRowSchema,
  type StoredPosition,
} from "./types.ts";
import { parseRow } from "./validate.ts";

const RUN_ID = z.string().regex(/^[a-z0-9_-]{1,64}$/, "expected 1-64 of a-z 0-9 _ -");

function runId(what: string, id: string): string {
  const r = RUN_ID.safeParse(id);
  if (!r.success) {
    throw new InputError(`${what}: run_id: ${r.error.issues[0].message}, found ${JSON.stringify(id)}`);
  }
  return r.data;
}

/**
 * Backtest positions and returns (spec D1.3). `save` replaces one run's rows in one transaction (all or
 * nothing; re-running the same report is idempotent); reads are PIT windows of one run.
 */
export function newBacktestRepo(db: Db, policy: CallPolicy): BacktestRepo {
  const sql = db.sql;
  return {
    async save(id, positions, returns, opts) {
      const run = runId("backtest.save", id);
      const ps = positions.map((p, i) => parseRow(PositionSchema, p, "backtest.save positions", i));
      const rs = returns.map((r, i) => parseRow(ReturnRowSchema, r, "backtest.save returns", i));
      await runCall("backtest", "save", policy, opts, (a) =>
        inTransaction(sql, async (tx) => {
          await a.track(tx`delete from positions where run_id = ${run}`);
          await a.track(tx`delete from returns where run_id = ${run}`);
          for (let i = 0; i < ps.length; i += 1000) {
            const b = ps.slice(i, i + 1000);
            await a.track(tx`
              insert into positions (run_id, symbol, venue, signal_ts, rank, score, entry_ts, entry_price,
                exit_ts, exit_price, exit_reason, qty, raw_pnl, costs, spec_pnl, stake)
              select ${run}, * from unnest(
                ${b.map((p) => p.symbol)}::text[], ${b.map((p) => p.venue)}::text[],
                ${b.map((p) => p.signal_ts.toISOString())}::timestamptz[], ${b.map((p) => p.rank)}::int[],
                ${b.map((p) => p.score)}::float8[], ${b.map((p) => p.entry_ts.toISOString())}::timestamptz[],
                ${b.map((p) => p.entry_price)}::float8[], ${
              b.map((p) => p.exit_ts.toISOString())
            }::timestamptz[],
                ${b.map((p) => p.exit_price)}::float8[], ${b.map((p) => p.exit_reason)}::text[],
                ${b.map((p) => p.qty)}::float8[], ${b.map((p) => p.raw_pnl)}::float8[],
                ${b.map((p) => p.costs)}::float8[], ${b.map((p) => p.spec_pnl)}::float8[],
                ${b.map((p) => p.stake)}::float8[])`);
          }
          for (let i = 0; i < rs.length; i += 1000) {
            const b = rs.slice(i, i + 1000);
            await a.track(tx`
              insert into returns (run_id, ts, ret, benchmark)
              select ${run}, * from unnest(${b.map((r) => r.ts.toISOString())}::timestamptz[],
                ${b.map((r) => r.ret)}::float8[], ${b.map((r) => r.benchmark)}::float8[])`);
          }
        }));
    },

    async positions(id, range, opts): Promise<StoredPosition[]> {
      const run = runId("backtest.positions", id);
      const r = validRange("backtest.positions", range);
      const rows = await runCall("backtest", "positions", policy, opts, (a) =>
        a.track(sql`
          select symbol, venue, signal_ts, rank, score, entry_ts, entry_price, exit_ts, exit_price, exit_reason,
                 qty, raw_pnl, costs, spec_pnl, stake
          from positions
          where run_id = ${run} and entry_ts >= ${new Date(r.from)} and exit_ts <= ${new Date(r.to)}
          order by entry_ts, symbol, venue`));
      return rows.map((row, i) => parseRow(PositionSchema, { ...row }, "backtest.positions (stored row)", i));
    },

    async returns(id, range, opts): Promise<ReturnRow[]> {
      const run = runId("backtest.returns", id);
      const r = validRange("backtest.returns", range);
      const rows = await runCall("backtest", "returns", policy, opts, (a) =>
        a.track(sql`
          select ts, ret, benchmark from returns
          where run_id = ${run} and ts >= ${new Date(r.from)} and ts <= ${new Date(r.to)}
          order by ts`));
      return rows.map((row, i) => parseRow(ReturnRowSchema, { ...row }, "backtest.returns (stored row)", i));
    },
  };
}
