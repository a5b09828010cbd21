-- TimescaleDB: make trades a hypertable partitioned by ts, only where the extension is installed AND
-- preloaded (plain PostgreSQL 15 and the embedded PGlite skip this and keep an ordinary table).
-- A hypertable's unique indexes must include ts, so the primary key becomes (id, ts).
-- +goose Up
-- +goose StatementBegin
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb')
     AND current_setting('shared_preload_libraries', true) LIKE '%timescaledb%' THEN
    CREATE EXTENSION IF NOT EXISTS timescaledb;
    ALTER TABLE trades DROP CONSTRAINT trades_pkey;
    ALTER TABLE trades ADD PRIMARY KEY (id, ts);
    EXECUTE 'SELECT create_hypertable(''trades'', ''ts'', migrate_data => true, if_not_exists => true)';
  END IF;
END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
DO $$
DECLARE
  is_hypertable boolean := false;
BEGIN
  -- Dynamic SQL: the view only exists where TimescaleDB is installed.
  IF to_regclass('timescaledb_information.hypertables') IS NOT NULL THEN
    EXECUTE 'SELECT EXISTS (SELECT 1 FROM timescaledb_information.hypertables WHERE hypertable_name = ''trades'')'
      INTO is_hypertable;
  END IF;
  IF is_hypertable THEN
    RAISE EXCEPTION 'trades is a TimescaleDB hypertable: converting it back to a plain table is not supported';
  END IF;
END
$$;
-- +goose StatementEnd
