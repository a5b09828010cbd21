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

/** A subcommand's (or sub-action's) implementation. */
export type Handler = (ctx: CommandContext, args: ParsedArgs) => Promise<number>;

/** One sub-action of a command (`cold dump`): light metadata, the handler loaded only when chosen. */
export interface ActionSpec {
  name: string;
  /** Its usage line (as in the command's help; a test keeps them in step). */
  usage: string;
  /** The command flags it accepts (global flags are always accepted); any other is a usage error. */
  flags: readonly string[];
  /** Operations picked by a second positional (`cold quarantine list|release|drop`); none by default. */
  subactions?: readonly string[];
  /** Loads the handler by dynamic import: nothing of the implementation is loaded before it is chosen. */
  load(): Promise<Handler>;
}

/**
 * A subcommand as the registry holds it: only what `--help` and usage errors need (name, summary, help,
 * flags, sub-actions). The implementation is loaded by dynamic import once the arguments are known to be
 * well-formed, so `--help` and a usage error load no heavy package.
 */
interface CommandBase {
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
}

export type Command =
  & CommandBase
  & (
    /** Sub-actions picked by the first positional (dispatched in src/cli/dispatch.ts). */
    | { actions: readonly ActionSpec[] }
    | { allowPositionals?: boolean; load(): Promise<Handler> }
  );
