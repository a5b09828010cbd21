import type { OptionSpec } from "./command.ts";

/** Global flags (documented in docs/CLI.md). */
export const GLOBAL_OPTIONS: OptionSpec = {
  config: { type: "string" },
  "data-dir": { type: "string" },
  "log-level": { type: "string" },
  json: { type: "boolean" },
  quiet: { type: "boolean", short: "q" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean" },
};

export const GLOBAL_HELP = `Global flags (accepted before or after the subcommand):
  --config FILE       main config file (default config/cryptorun.yaml; data_sources.yaml is read beside it;
                      when the default is missing, embedded defaults are used)
  --data-dir DIR      root of every data tier (default ./data, or app.data_dir)
  --log-level LEVEL   debug | info | warn | error | silent (default info)
  --json              machine output: JSON results on stdout, JSON-lines logs on stderr
  -q, --quiet         no progress display and only warnings/errors in the log
  -h, --help          help (for a subcommand: cryptorun <command> --help)
  --version           print the version`;
