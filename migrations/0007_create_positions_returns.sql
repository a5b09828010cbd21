-- Backtest positions and per-period returns (spec D1.3): one report run (run_id = a hash of its parameters and
-- window) replaces its rows in one transaction; the report reads them back from here.
-- +goose Up
CREATE TABLE positions (
  id BIGSERIAL PRIMARY KEY,
  run_id TEXT NOT NULL,
  symbol TEXT NOT NULL,
  venue TEXT NOT NULL,
  signal_ts TIMESTAMPTZ NOT NULL,
  rank INTEGER NOT NULL,
  score DOUBLE PRECISION NOT NULL,
  entry_ts TIMESTAMPTZ NOT NULL,
  entry_price DOUBLE PRECISION NOT NULL CHECK (entry_price > 0),
  exit_ts TIMESTAMPTZ NOT NULL,
  exit_price DOUBLE PRECISION NOT NULL CHECK (exit_price > 0),
  exit_reason TEXT NOT NULL CHECK (exit_reason IN ('hold', 'stop', 'window_end')),
  qty DOUBLE PRECISION NOT NULL CHECK (qty > 0),
  raw_pnl DOUBLE PRECISION NOT NULL,
  costs DOUBLE PRECISION NOT NULL CHECK (costs >= 0),
  spec_pnl DOUBLE PRECISION NOT NULL,
  stake DOUBLE PRECISION NOT NULL CHECK (stake > 0),
  CHECK (exit_ts >= entry_ts),
  UNIQUE (run_id, venue, symbol, entry_ts)
);

CREATE TABLE returns (
  run_id TEXT NOT NULL,
  ts TIMESTAMPTZ NOT NULL,
  -- NULL: a missing period.
  ret DOUBLE PRECISION,
  benchmark DOUBLE PRECISION,
  PRIMARY KEY (run_id, ts)
);

-- +goose Down
DROP TABLE returns;
DROP TABLE positions;
