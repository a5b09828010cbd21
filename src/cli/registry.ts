import type { Command } from "./command.ts";
import { healthCommand } from "./commands/health.ts";

/**
 * Every subcommand that exists. A subcommand appears here (and in --help) only once it is built.
 * Keep the order of the product card: ingest, cold, stream, scan, report, health, serve, db.
 */
export const COMMANDS: Command[] = [
  healthCommand,
];
