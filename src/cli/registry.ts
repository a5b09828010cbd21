import type { Command } from "./command.ts";
import { backfillCommand } from "./commands/backfill.ts";
import { coldCommand } from "./commands/cold.ts";
import { dbCommand } from "./commands/db.ts";
import { derivsCommand } from "./commands/derivs.ts";
import { healthCommand } from "./commands/health.ts";
import { ingestCommand } from "./commands/ingest.ts";
import { reportCommand } from "./commands/report.ts";
import { scanCommand } from "./commands/scan.ts";
import { serveCommand } from "./commands/serve.ts";
import { streamCommand } from "./commands/stream.ts";

/**
 * Every subcommand that exists. A subcommand appears here (and in --help) only once it is built.
 * Keep the order of the product card: ingest, cold, stream, scan, report, health, serve, db.
 *
 * Only light metadata is imported here (name, summary, help, flags, sub-actions): each implementation is
 * loaded by dynamic import when its command is chosen (tests/arch/import_graph_test.ts keeps it so).
 */
export const COMMANDS: Command[] = [
  ingestCommand,
  coldCommand,
  backfillCommand,
  streamCommand,
  scanCommand,
  derivsCommand,
  reportCommand,
  healthCommand,
  serveCommand,
  dbCommand,
];
