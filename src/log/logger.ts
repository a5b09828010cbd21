import { redact, redactValue } from "./redact.ts";

export const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;
export type LogLevel = typeof LOG_LEVELS[number];

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
  readonly level: LogLevel;
}

export interface LoggerOptions {
  /** A level, or a function read at each line (the CLI's level can come from config loaded later). */
  level?: LogLevel | (() => LogLevel);
  /** JSON lines (true) or readable text (false). Default: JSON unless stderr is a TTY. */
  json?: boolean;
  /** Where lines go; default stderr. Every line passes through `redact` before it is written. */
  sink?: (line: string) => void;
  now?: () => Date;
}

function stderrSink(line: string): void {
  Deno.stderr.writeSync(new TextEncoder().encode(line + "\n"));
}

function isStderrTty(): boolean {
  try {
    return Deno.stderr.isTerminal();
  } catch {
    return false;
  }
}

/**
 * One small structured logger. Output is JSON lines when not on a TTY (or with `json: true`),
 * readable `HH:MM:SS LEVEL msg k=v` otherwise. Everything, message and fields, is redacted.
 */
export function createLogger(opts: LoggerOptions = {}, bound: LogFields = {}): Logger {
  const levelOf = typeof opts.level === "function"
    ? opts.level
    : () => (opts.level as LogLevel | undefined) ?? "info";
  const json = opts.json ?? !isStderrTty();
  const sink = opts.sink ?? stderrSink;
  const now = opts.now ?? (() => new Date());

  function emit(lvl: Exclude<LogLevel, "silent">, msg: string, fields?: LogFields): void {
    if (RANK[lvl] < RANK[levelOf()]) return;
    const all = redactValue({ ...bound, ...fields }) as LogFields;
    const ts = now().toISOString();
    let line: string;
    if (json) {
      line = JSON.stringify(
        { ts, level: lvl, msg: redact(msg), ...all },
        (_k, v) => v instanceof Error ? `${v.name}: ${v.message}` : typeof v === "bigint" ? v.toString() : v,
      );
    } else {
      const kv = Object.entries(all).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`);
      line = `${ts.slice(11, 19)} ${lvl.toUpperCase().padEnd(5)} ${redact(msg)}${
        kv.length ? " " + kv.join(" ") : ""
      }`;
    }
    // Final pass over the rendered line: a secret split across fields or escaped by JSON still goes.
    sink(redact(line));
  }

  return {
    get level() {
      return levelOf();
    },
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    child: (fields) => createLogger(opts, { ...bound, ...fields }),
  };
}

/** A logger that drops everything (library default, tests). */
export const nullLogger: Logger = createLogger({ level: "silent", sink: () => {} });
