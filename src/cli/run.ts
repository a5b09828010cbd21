import { loadEntry } from "../util/entries.ts";
import { parseArgs } from "node:util";
import type { EnvOverride } from "../config/load.ts";
import type { Config } from "../config/schema.ts";
import { readCached, writeCached } from "../config/cache.ts";
import { createLogger, LOG_LEVELS, type LogLevel } from "../log/logger.ts";
import { redact } from "../log/redact.ts";
import { ConfigError, exitCodeOf, UsageError } from "../util/errors.ts";
import { clearProgressLine } from "../util/progress_line.ts";
import { describeFsError } from "../util/fs_errors.ts";
import type { Command, CommandContext, GlobalFlags, ParsedArgs } from "./command.ts";
import { resolveHandler } from "./dispatch.ts";
import { GLOBAL_HELP, GLOBAL_OPTIONS } from "./globals.ts";
import { COMMANDS } from "./registry.ts";
import { VERSION } from "./version.ts";
import { joinNegativeValues, parseArgsMessage } from "./flags.ts";
import { resolve } from "node:path";

export interface RunIO {
  stdout(line: string): void;
  stderr(line: string): void;
  stderrIsTty: boolean;
  env: Record<string, string>;
  signal?: AbortSignal;
}

export function topLevelHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const cmds = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join("\n");
  return `cryptorun ${VERSION} — exchange-native crypto market data, PIT history and a momentum scanner

Usage: cryptorun [global flags] <command> [command flags]

Commands:
${cmds}

${GLOBAL_HELP}

Exit codes: 0 ok, 1 runtime failure, 2 usage or configuration error (docs/CLI.md).
Run 'cryptorun <command> --help' for a command's flags and examples.`;
}

export function usageLine(): string {
  return `usage: cryptorun [--config FILE] [--data-dir DIR] [--log-level L] [--json] [--quiet] <${
    COMMANDS.map((c) => c.name).join("|")
  }> [flags]   (cryptorun --help)`;
}

const TAKES_VALUE = new Set(
  Object.entries(GLOBAL_OPTIONS).filter(([, o]) => o.type === "string").map(([k]) => k),
);
const SHORT_TO_LONG = new Map(
  Object.entries(GLOBAL_OPTIONS).filter(([, o]) => o.short).map(([k, o]) => [o.short!, k]),
);

/** Splits argv at the subcommand: global flags before it, everything from it on. */
function splitAtCommand(argv: string[]): { pre: string[]; command?: string; rest: string[] } {
  const pre: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") return { pre, rest: argv.slice(i + 1) };
    if (a.startsWith("--")) {
      const name = a.slice(2).split("=")[0];
      if (!(name in GLOBAL_OPTIONS)) throw new UsageError(`unknown flag ${a}`);
      pre.push(a);
      if (TAKES_VALUE.has(name) && !a.includes("=")) {
        if (i + 1 >= argv.length) throw new UsageError(`flag --${name} needs a value`);
        pre.push(argv[++i]);
      }
      continue;
    }
    if (a.startsWith("-") && a.length > 1) {
      if (!SHORT_TO_LONG.has(a.slice(1))) throw new UsageError(`unknown flag ${a}`);
      pre.push(a);
      continue;
    }
    return { pre, command: a, rest: argv.slice(i + 1) };
  }
  return { pre, rest: [] };
}

function parseStrict(args: string[], options: Command["options"], allowPositionals: boolean): ParsedArgs {
  try {
    const r = parseArgs({ args: joinNegativeValues(args, options), options, allowPositionals, strict: true });
    return { values: r.values as ParsedArgs["values"], positionals: r.positionals };
  } catch (err) {
    throw new UsageError(parseArgsMessage(err, args));
  }
}

function globalsFrom(values: ParsedArgs["values"]): GlobalFlags {
  const level = values["log-level"] as string | undefined;
  if (level !== undefined && !(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new UsageError(
      `--log-level: expected one of ${LOG_LEVELS.join("|")}, found ${JSON.stringify(level)}`,
    );
  }
  const dataDir = values["data-dir"] as string | undefined;
  if (dataDir !== undefined && dataDir.trim() === "") throw new UsageError(`--data-dir: empty path`);
  return {
    config: (values.config as string | undefined) ?? "config/cryptorun.yaml",
    configExplicit: values.config !== undefined,
    dataDir,
    logLevel: level as LogLevel | undefined,
    json: values.json === true,
    quiet: values.quiet === true,
  };
}

/** Runs the CLI; returns the exit code. Every error becomes one redacted line on stderr. */
export async function runCli(argv: string[], io: RunIO): Promise<number> {
  let json = argv.includes("--json");
  try {
    const split = splitAtCommand(argv);
    const pre = parseStrict(split.pre, GLOBAL_OPTIONS, false);
    if (pre.values.version) {
      io.stdout(json ? JSON.stringify({ version: VERSION }) : `cryptorun ${VERSION}`);
      return 0;
    }
    if (!split.command) {
      if (pre.values.help) {
        io.stdout(topLevelHelp());
        return 0;
      }
      throw new UsageError("no command given");
    }
    let name = split.command;
    let rest = split.rest;
    if (name === "help") {
      if (rest.length === 0) {
        io.stdout(topLevelHelp());
        return 0;
      }
      name = rest[0];
      rest = ["--help"];
    }
    const cmd = COMMANDS.find((c) => c.name === name);
    if (!cmd) throw new UsageError(`unknown command ${JSON.stringify(name)}`);
    if (rest.includes("--help") || rest.includes("-h") || pre.values.help) {
      io.stdout(cmd.help.trimEnd() + "\n\n" + GLOBAL_HELP);
      return 0;
    }
    const positionals = "actions" in cmd ? true : cmd.allowPositionals ?? false;
    const args = withOptionalValues(rest, cmd.optionalValues ?? {});
    const parsed = parseStrict(args, { ...GLOBAL_OPTIONS, ...cmd.options }, positionals);
    // Globals given after the command override those before it.
    const globals = globalsFrom({ ...pre.values, ...stripUndefined(parsed.values) });
    json = globals.json;

    let loaded: { config: Config; overrides: EnvOverride[] } | undefined;
    // --log-level, else --quiet (warn), else app.log_level once the config is loaded, else info.
    const logLevel = (): LogLevel =>
      globals.logLevel ?? (globals.quiet ? "warn" : loaded?.config.app.log_level ?? "info");
    const log = createLogger({
      level: logLevel,
      json: globals.json || !io.stderrIsTty,
      // A log line never lands in the middle of a progress bar: the bar's line is cleared first.
      sink: (line) => {
        clearProgressLine();
        io.stderr(line);
      },
    });
    const ctx: CommandContext = {
      globals,
      async config() {
        if (!loaded) {
          const inputs = { configPath: globals.config, explicit: globals.configExplicit, env: io.env };
          const cached = await readCached(inputs);
          if (cached.loaded) {
            loaded = cached.loaded;
          } else {
            const { loadConfig } = await loadEntry<typeof import("../config/load.ts")>("config/load.ts");
            loaded = await loadConfig(inputs);
            if (cached.key) await writeCached(inputs, cached.key, loaded);
          }
        }
        return loaded.config;
      },
      overrides: () => loaded?.overrides ?? [],
      async dataDir() {
        return resolve(globals.dataDir ?? (await this.config()).app.data_dir);
      },
      log,
      out: io.stdout,
      interactive: io.stderrIsTty && !globals.quiet && !globals.json,
      signal: io.signal ?? new AbortController().signal,
      env: io.env,
    };
    // Sub-action, stray arguments and flags are checked before the implementation is loaded.
    const handler = await resolveHandler(cmd, parsed);
    return await handler(ctx, parsed);
  } catch (err) {
    const code = exitCodeOf(err);
    const e = err as Error;
    const msg = redact(
      describeFsError(e) ??
        (e instanceof UsageError || e instanceof ConfigError ? e.message : `${e.message ?? e}`),
    );
    if (json) {
      io.stderr(JSON.stringify({ level: "error", error: e.name ?? "Error", message: msg, exit: code }));
    } else {
      io.stderr(`cryptorun: ${msg}`);
      if (e instanceof UsageError) io.stderr(usageLine());
    }
    return code;
  }
}

/** A bare `--name` of an optional-value flag, not followed by a value, becomes `--name=<default>`. */
function withOptionalValues(args: string[], defaults: Record<string, string>): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") return [...out, ...args.slice(i)];
    const name = a.startsWith("--") ? a.slice(2) : "";
    const next = args[i + 1];
    if (name in defaults && (next === undefined || next.startsWith("-"))) out.push(`${a}=${defaults[name]}`);
    else out.push(a);
  }
  return out;
}

function stripUndefined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
