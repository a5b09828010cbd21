import type { ParseArgsConfig } from "node:util";
import type { Config } from "../config/schema.ts";
import type { EnvOverride } from "../config/load.ts";
import type { Logger, LogLevel } from "../log/logger.ts";

export type OptionSpec = NonNullable<ParseArgsConfig["options"]>;

/** Flags every subcommand accepts, before or after the subcommand name. */
export interface GlobalFlags {
  config: string;
  /** True when --config was given (then a missing file is an error). */
  configExplicit: boolean;
  dataDir?: string;
  logLevel?: LogLevel;
  json: boolean;
  quiet: boolean;
}

/** What a subcommand gets: parsed flags, lazy config, a logger and output helpers. */
export interface CommandContext {
  globals: GlobalFlags;
  /** Loads and validates the config once (ConfigError → exit 2). */
  config(): Promise<Config>;
  /** The env overrides that were applied (after `config()` ran). */
  overrides(): EnvOverride[];
  /** The data directory: --data-dir, else app.data_dir. */
  dataDir(): Promise<string>;
  log: Logger;
  /** Writes a line to stdout (results; logs go to stderr). */
  out(line: string): void;
  /** True when progress may be drawn: stderr is a TTY, no --quiet, no --json. */
  interactive: boolean;
  signal: AbortSignal;
  /** The process environment (injected, so tests can set it). Read secrets through config/secrets.ts. */
  env: Record<string, string>;
}

export interface ParsedArgs {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

export interface Command {
  name: string;
  /** One line for the top-level help. */
  summary: string;
  /** Full help: usage, flags, examples. */
  help: string;
  options: OptionSpec;
  /**
   * String flags whose value is optional: a bare `--name` (not followed by a value) stands for
   * `--name=<this value>` (e.g. `--wait` = wait without a time limit, `--wait=30s`).
   */
  optionalValues?: Record<string, string>;
  allowPositionals?: boolean;
  run(ctx: CommandContext, args: ParsedArgs): Promise<number>;
}
