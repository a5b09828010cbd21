import { z } from "zod";
import { checkTime, type TimeRange } from "../util/time.ts";

export type { TimeRange };

/**
 * Boundary types of the persistence layer (spec B1.2). Every repository call validates its input with these
 * schemas before any SQL runs; rows read back are parsed with them too, so callers only ever see valid data.
 */

const finite = (what: string) =>
  z.number({ error: `${what}: expected a number` }).refine(Number.isFinite, {
    message: `${what}: expected a finite number (not NaN/Infinity)`,
  });

/**
 * A timestamp: a valid Date (numbers = epoch ms and strings are accepted and converted; a string goes through
 * the one time parser, src/util/time.ts `checkTime`: no zone = UTC, impossible dates refused with the reason).
 */
export const Timestamp = z.preprocess(
  (v, ctx) => {
    if (typeof v === "number") return new Date(v);
    if (typeof v !== "string") return v;
    const t = checkTime(v);
    if (t.ok) return new Date(t.ms);
    ctx.addIssue({ code: "custom", message: `expected a time: ${t.reason}`, input: v });
    return z.NEVER;
  },
  z.date({ error: "expected a Date" }).refine((d) => Number.isFinite(d.getTime()), {
    message: "expected a valid date",
  }),
);

const Symbol = z.string({ error: "expected a string like BTC/USD" }).trim().min(1, "must not be empty");

export const TradeSide = z.enum(["buy", "sell"]);
export type TradeSide = z.infer<typeof TradeSide>;

export const TradeSchema = z.strictObject({
  ts: Timestamp,
  symbol: Symbol,
  venue: z.string({ error: "expected a string like kraken" }).trim().min(1, "must not be empty"),
  side: TradeSide,
  price: finite("price").refine((n) => n > 0, { message: "price: must be > 0" }),
  qty: finite("qty").refine((n) => n > 0, { message: "qty: must be > 0" }),
  order_id: z.string().min(1).optional(),
  /**
   * The venue's own trade id (Kraken `trade_id`). When present it is the idempotency key; when absent the key
   * is derived from the trade's content (see trade_key.ts). Stored in `trades.trade_key`.
   */
  trade_id: z.union([z.string().min(1), z.number().int().nonnegative()]).transform(String).optional(),
  attributes: z.record(z.string(), z.unknown()).optional(),
});
export type Trade = z.infer<typeof TradeSchema>;
export type TradeInput = z.input<typeof TradeSchema>;

export const REGIMES = ["trending", "choppy", "highvol", "mixed"] as const;
export const RegimeName = z.enum(REGIMES);
export type RegimeName = z.infer<typeof RegimeName>;

export const RegimeSnapshotSchema = z.strictObject({
  ts: Timestamp,
  realized_vol_7d: finite("realized_vol_7d"),
  pct_above_20ma: finite("pct_above_20ma"),
  breadth_thrust: finite("breadth_thrust"),
  regime: RegimeName,
  weights: z.record(z.string(), finite("weight")),
});
export type RegimeSnapshot = z.infer<typeof RegimeSnapshotSchema>;
export type RegimeSnapshotInput = z.input<typeof RegimeSnapshotSchema>;

export const PremoveArtifactSchema = z.strictObject({
  ts: Timestamp,
  symbol: Symbol,
  gate_a: z.boolean().nullable(),
  gate_b: z.boolean().nullable(),
  gate_c: z.boolean().nullable(),
  score: finite("score").nullable(),
  factors: z.record(z.string(), z.unknown()),
});
export type PremoveArtifact = z.infer<typeof PremoveArtifactSchema>;
export type PremoveArtifactInput = z.input<typeof PremoveArtifactSchema>;

/** A backtest position (spec D1.3): one closed trade of a report run. */
export const PositionSchema = z.strictObject({
  symbol: Symbol,
  venue: z.string().trim().min(1, "must not be empty"),
  signal_ts: Timestamp,
  rank: z.number().int().positive(),
  score: finite("score"),
  entry_ts: Timestamp,
  entry_price: finite("entry_price").refine((n) => n > 0, { message: "entry_price: must be > 0" }),
  exit_ts: Timestamp,
  exit_price: finite("exit_price").refine((n) => n > 0, { message: "exit_price: must be > 0" }),
  exit_reason: z.enum(["hold", "stop", "window_end"]),
  qty: finite("qty").refine((n) => n > 0, { message: "qty: must be > 0" }),
  raw_pnl: finite("raw_pnl"),
  costs: finite("costs").refine((n) => n >= 0, { message: "costs: must be >= 0" }),
  spec_pnl: finite("spec_pnl"),
  stake: finite("stake").refine((n) => n > 0, { message: "stake: must be > 0" }),
});
export type StoredPosition = z.infer<typeof PositionSchema>;
export type PositionInput = z.input<typeof PositionSchema>;

/** One period of a report run's returns; null = a missing period (NaN in memory). */
export const ReturnRowSchema = z.strictObject({
  ts: Timestamp,
  ret: finite("ret").nullable(),
  benchmark: finite("benchmark").nullable(),
});
export type ReturnRow = z.infer<typeof ReturnRowSchema>;
export type ReturnRowInput = z.input<typeof ReturnRowSchema>;

/** Per-call options: an AbortSignal and/or a timeout (defaults to persistence.timeout_ms). */
export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** A stored trade: the input fields plus the database id. */
export type StoredTrade = Trade & { id: number };

export interface InsertManyResult {
  /** Rows newly stored. */
  inserted: number;
  /** Rows already present (same idempotency key), left unchanged. */
  duplicates: number;
}

export interface TradesRepo {
  /** Stores one trade (idempotent: storing the same trade twice keeps one row). */
  insert(t: TradeInput, opts?: CallOptions): Promise<InsertManyResult>;
  /**
   * Stores many trades, one transaction per batch: COPY on real Postgres, batched `unnest` inserts on the
   * embedded database. Idempotent (retried batches and repeated calls land each trade exactly once). An array
   * is validated whole before any SQL; a stream batch by batch (earlier batches stay stored on a bad row).
   */
  insertMany(
    ts: Iterable<TradeInput> | AsyncIterable<TradeInput>,
    opts?: CallOptions & {
      /** Rows per COPY / insert batch (default 50 000 COPY, 5 000 insert). */
      batchSize?: number;
      onProgress?: (rowsDone: number) => void;
    },
  ): Promise<InsertManyResult>;
  /** PIT read: trades of `symbol` with range.from <= ts <= range.to, newest first, at most `limit`. */
  listBySymbol(symbol: string, range: TimeRange, limit: number, opts?: CallOptions): Promise<StoredTrade[]>;
}

export interface RegimeRepo {
  /** Inserts or replaces the snapshot at `ts`. */
  upsert(r: RegimeSnapshotInput, opts?: CallOptions): Promise<void>;
  /** The latest snapshot with ts <= asOf (PIT), or null when there is none. */
  latest(asOf: Date, opts?: CallOptions): Promise<RegimeSnapshot | null>;
}

export interface PremoveRepo {
  /** Inserts or replaces the artifact of (ts, symbol). */
  upsert(p: PremoveArtifactInput, opts?: CallOptions): Promise<void>;
  /** PIT read: artifacts with range.from <= ts <= range.to, oldest first (then by symbol). */
  window(range: TimeRange, opts?: CallOptions & { symbols?: string[] }): Promise<PremoveArtifact[]>;
}

export interface BacktestRepo {
  /** Replaces run `runId`'s positions and returns with these, in one transaction. */
  save(
    runId: string,
    positions: PositionInput[],
    returns: ReturnRowInput[],
    opts?: CallOptions,
  ): Promise<void>;
  /** PIT read: the run's positions entered at or after range.from and exited by range.to, oldest first. */
  positions(runId: string, range: TimeRange, opts?: CallOptions): Promise<StoredPosition[]>;
  /** PIT read: the run's returns with range.from <= ts <= range.to, oldest first. */
  returns(runId: string, range: TimeRange, opts?: CallOptions): Promise<ReturnRow[]>;
}

export type PersistenceKind = "embedded" | "postgres";

export interface Persistence {
  kind: PersistenceKind;
  trades: TradesRepo;
  regime: RegimeRepo;
  premove: PremoveRepo;
  backtest: BacktestRepo;
  /** Round-trips `select 1`; throws when the database cannot be reached. */
  ping(signal?: AbortSignal): Promise<void>;
  /** Closes connections (and the embedded server). Idempotent. */
  close(): Promise<void>;
}
