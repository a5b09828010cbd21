-- Regime snapshots (spec B1.1): one row per 4h regime decision, keyed by its time.
-- +goose Up
CREATE TABLE regime_snapshots (
  ts TIMESTAMPTZ PRIMARY KEY,
  realized_vol_7d DOUBLE PRECISION NOT NULL,
  pct_above_20ma DOUBLE PRECISION NOT NULL,
  breadth_thrust DOUBLE PRECISION NOT NULL,
  regime TEXT NOT NULL, -- trending|choppy|highvol|mixed
  weights JSONB NOT NULL
);

-- +goose Down
DROP TABLE regime_snapshots;
