-- Trades (spec B1.1): one row per executed trade. Exactly the spec's table; later needs go in new files.
-- +goose Up
CREATE TABLE trades (
  id BIGSERIAL PRIMARY KEY,
  ts TIMESTAMPTZ NOT NULL,
  symbol TEXT NOT NULL,
  venue TEXT NOT NULL,
  side TEXT CHECK (side IN ('buy','sell')),
  price DOUBLE PRECISION NOT NULL,
  qty DOUBLE PRECISION NOT NULL,
  order_id TEXT,
  attributes JSONB DEFAULT '{}'
);
CREATE INDEX ON trades (symbol, ts DESC);

-- +goose Down
DROP TABLE trades;
