-- Premove artifacts (spec B1.1): gate results and score per (ts, symbol).
-- +goose Up
CREATE TABLE premove_artifacts (
  id BIGSERIAL PRIMARY KEY,
  ts TIMESTAMPTZ NOT NULL,
  symbol TEXT NOT NULL,
  gate_a BOOLEAN,
  gate_b BOOLEAN,
  gate_c BOOLEAN,
  score DOUBLE PRECISION,
  factors JSONB,
  UNIQUE (ts, symbol)
);

-- +goose Down
DROP TABLE premove_artifacts;
