/**
 * Error kinds that map to the CLI's exit codes (docs/CLI.md):
 * 0 ok, 1 runtime failure, 2 usage or configuration error.
 */

/** A bad flag, subcommand or argument. Exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
  readonly exitCode = 2;
}

/** A configuration file or override that does not validate. Exit code 2. */
export class ConfigError extends Error {
  override name = "ConfigError";
  readonly exitCode = 2;
}

/** Bad input data (a file, a row, a message): names the field and the value. Exit code 1. */
export class InputError extends Error {
  override name = "InputError";
  readonly exitCode = 1;
}

/** Exit code for an error thrown anywhere below the CLI. */
export function exitCodeOf(err: unknown): number {
  if (err instanceof UsageError || err instanceof ConfigError) return 2;
  return 1;
}

/** Short, single-line rendering of a value for error messages (never the whole row of a big object). */
export function show(value: unknown, max = 80): string {
  let s: string;
  try {
    s = typeof value === "string" ? JSON.stringify(value) : String(JSON.stringify(value) ?? value);
  } catch {
    s = String(value);
  }
  return s.length > max ? s.slice(0, max - 1) + "…" : s;
}
