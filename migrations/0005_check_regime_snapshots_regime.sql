-- The spec lists the regime values only in a comment (trending|choppy|highvol|mixed); enforce them.
-- +goose Up
ALTER TABLE regime_snapshots
  ADD CONSTRAINT regime_snapshots_regime_check CHECK (regime IN ('trending', 'choppy', 'highvol', 'mixed'));

-- +goose Down
ALTER TABLE regime_snapshots DROP CONSTRAINT regime_snapshots_regime_check;
