/**
 * Modules loaded at run time: the subcommand implementations, each loaded only when its command is chosen,
 * and the parts of the cold tier a read does not run (its writer stack, its schemas), which the data layer
 * loads through the same `loadEntry` (src/data/cold: store.ts, parquet_read.ts, manifest.ts, move_journal.ts).
 *
 * Deno prepares every module a string-literal `import("…")` can reach before the program starts: it reads,
 * resolves and analyses the whole tree (npm packages included), although none of it runs. With one literal
 * import per subcommand that was CryptoRun's whole source tree — some 370 files and 60–100 ms — before
 * `--help` could print (issue #21). So the registry's imports are built at run time, through `loadEntry`:
 * start-up walks only `main.ts` and the light command specs, and the chosen command walks its own tree (the
 * config stack — yaml, zod, the schemas — is one more entry: `--help` and usage errors never load it).
 *
 * Whatever needs the whole program ahead of time takes ENTRY_MODULES as extra roots: `deno compile`
 * (scripts/compile.ts: `--include`), `deno install --entrypoint` (the image), the type check
 * (`deno task check` checks src/ whole). tests/arch/import_graph_test.ts checks that every entry exists, that
 * every `loadEntry` call names one, and that nothing else under src/cli/commands/ is reached at start-up.
 */
export const ENTRY_MODULES = [
  "backfill/known_gaps.ts",
  "cli/commands/backfill/run.ts",
  "cli/commands/cold/actions.ts",
  "cli/commands/cold/import.ts",
  "cli/commands/cold/replicate.ts",
  "cli/commands/cold/validate.ts",
  "cli/commands/db/actions.ts",
  "cli/commands/derivs/defi.ts",
  "cli/commands/derivs/show.ts",
  "cli/commands/health/run.ts",
  "cli/commands/ingest/run.ts",
  "cli/commands/report/run.ts",
  "cli/commands/scan/run.ts",
  "cli/commands/serve/run.ts",
  "cli/commands/stream/actions.ts",
  "config/load.ts",
  // Loaded by the cold actions and the cold tier itself: a `cold dump` prepares none of the writer stack
  // (parquet-wasm, apache-arrow), the CSV input side or the schema validators it does not run.
  "data/cold/input.ts",
  "data/cold/manifest_schema.ts",
  "data/cold/move.ts",
  "data/cold/move_journal_schema.ts",
  "data/cold/parquet_wasm_read.ts",
  "data/cold/row_check.ts",
  "data/cold/store.ts",
  "data/cold/table_write.ts",
  "data/cold/tables.ts",
  "data/validate/write.ts",
  // A worker's module (src/scan/rolling.ts starts it by URL): listed so that the binary and the image hold it.
  "scan/rolling_worker.ts",
  "util/progress.ts",
] as const;

/** A module (path under src/) that the CLI loads when it needs it. */
export type EntryModule = typeof ENTRY_MODULES[number];

/** ENTRY_MODULES as paths from the project root (for `deno compile --include`, `deno install --entrypoint`). */
export const ENTRY_PATHS: readonly string[] = ENTRY_MODULES.map((m) => `src/${m}`);

/**
 * Loads an entry module; `M` is its type (`typeof import("<relative path of the entry>")`: a type-only reference, which
 * start-up does not walk).
 */
export function loadEntry<M>(entry: EntryModule): Promise<M> {
  return import(new URL(`../${entry}`, import.meta.url).href);
}
