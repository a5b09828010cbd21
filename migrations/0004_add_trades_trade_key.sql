-- Idempotent trade writes: a retried or repeated batch must land each trade exactly once. trade_key is the
-- venue's trade id ("id:<trade_id>") or, without one, a key derived from the trade's content
-- (src/persistence/trade_key.ts). Nullable: rows written before this migration keep NULL (NULLs never
-- conflict). The unique index includes ts so it stays valid on a TimescaleDB hypertable partitioned by ts.
-- +goose Up
ALTER TABLE trades ADD COLUMN trade_key TEXT;
CREATE UNIQUE INDEX trades_trade_key_uniq ON trades (venue, symbol, trade_key, ts);

-- +goose Down
DROP INDEX trades_trade_key_uniq;
ALTER TABLE trades DROP COLUMN trade_key;
