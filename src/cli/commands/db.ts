import { loadEntry } from "../../util/entries.ts";
import type { Command, Handler } from "../command.ts";

/** `cryptorun db`: help, flags and sub-actions (light; the actions live in ./db/actions.ts). */

const actions = () => loadEntry<typeof import("./db/actions.ts")>("cli/commands/db/actions.ts");

export const dbCommand: Command = {
  name: "db",
  summary: "database migrations: migrate | status | down (embedded PGlite or PostgreSQL/TimescaleDB)",
  help: `cryptorun db — apply, inspect and revert the database migrations (goose format, migrations/)

Usage: cryptorun db migrate [--to VERSION]
       cryptorun db status
       cryptorun db down [--to VERSION]

The database is the one the persistence: section configures: kind embedded (PGlite under <data-dir>/db,
the default) or kind postgres (the DSN comes from the env var named by persistence.dsn_env, CRYPTORUN_PG_DSN
by default, or the file persistence.dsn_file; it is never printed). The version table is goose's
goose_db_version, so the goose CLI sees the same state; a sha256 per applied file is kept in
cryptorun_migration_checksums.

Actions:
  migrate        apply every pending migration in version order, each in its own transaction; running it
                 again changes nothing
  status         every migration: applied or pending, when, and whether the file still matches what was
                 applied (exit 1 when an applied file was changed)
  down           revert the latest applied migration (or every one above --to) with its Down section

Flags:
  --to VERSION   migrate: apply up to and including VERSION; down: revert every migration above VERSION
                 (--to 0 reverts all)

Pitfalls:
  - down runs the Down sections: DROP TABLE removes the table AND its rows. There is no undo.
  - Never edit a migration that was applied anywhere: add a new numbered file. An edited applied file makes
    migrate, down and status fail naming the file.
  - The embedded database is single-process: stop other cryptorun processes using the same --data-dir first.
  - TimescaleDB hypertables are created only where the extension is installed and preloaded
    (shared_preload_libraries); reverting that migration on a hypertable is refused.

Examples:
  cryptorun db migrate
  cryptorun db status --json | jq '.migrations[] | select(.applied | not)'
  CRYPTORUN_PERSISTENCE_KIND=postgres CRYPTORUN_PG_DSN=postgres://app@127.0.0.1:5432/cryptorun cryptorun db migrate
  cryptorun db down --to 3
  cryptorun --data-dir /srv/cryptorun db status`,
  options: {
    to: { type: "string" },
  },
  actions: [
    {
      name: "migrate",
      usage: "cryptorun db migrate [--to VERSION]",
      flags: ["to"],
      load: async (): Promise<Handler> => (await actions()).runMigrate,
    },
    {
      name: "status",
      usage: "cryptorun db status",
      flags: [],
      load: async (): Promise<Handler> => (await actions()).runStatus,
    },
    {
      name: "down",
      usage: "cryptorun db down [--to VERSION]",
      flags: ["to"],
      load: async (): Promise<Handler> => (await actions()).runDown,
    },
  ],
};
