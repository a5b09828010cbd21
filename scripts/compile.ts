import { dirname } from "node:path";

/**
 * deno task compile — builds dist/cryptorun, the single executable.
 *
 * `deno compile` downloads its runtime (denort) unless DENORT_BIN points at one; this script passes the
 * environment through, so `DENORT_BIN=/path/to/denort deno task compile` builds offline.
 * The permissions below are the binary's, and the `cryptorun` task in deno.json uses exactly the same
 * (tests/cli/tasks_test.ts checks).
 */

/** Least permissions of the binary: files (data dir, config), network (venues, DB, brokers, serve), env, sys. */
export const COMPILE_PERMISSIONS = [
  "--allow-read",
  "--allow-write",
  "--allow-net",
  "--allow-env",
  "--allow-sys",
] as const;

/** Files the binary reads at run time that are not imported modules. */
export const COMPILE_INCLUDES = ["migrations", "fixtures", "config"] as const;

/**
 * npm package files kept out of the binary, relative to Deno's npm cache. bintrees (a dependency of
 * prom-client's tdigest) ships extensionless test data (`test/perf/100k`: 200k lines of signed numbers) that
 * Deno 2.9's compile step parses as one enormous expression and overflows its stack on (denoland/deno#36746).
 */
export const NPM_EXCLUDES = ["registry.npmjs.org/bintrees/1.0.2/test"] as const;

export function compileArgs(output = "dist/cryptorun", target?: string, npmCache?: string): string[] {
  return [
    "compile",
    ...COMPILE_PERMISSIONS,
    ...COMPILE_INCLUDES.flatMap((p) => ["--include", p]),
    // Only what main.ts reaches (dev-only packages such as DuckDB stay out); every dynamic import in src/
    // is a string literal, so the stream backends are reachable.
    "--exclude-unused-npm",
    ...(npmCache ? NPM_EXCLUDES.flatMap((p) => ["--exclude", `${npmCache}/${p}`]) : []),
    ...(target ? ["--target", target] : []),
    "--output",
    output,
    "main.ts",
  ];
}

if (import.meta.main) {
  const target = Deno.args.find((a) => a.startsWith("--target="))?.slice("--target=".length);
  const output = Deno.args.find((a) => a.startsWith("--output="))?.slice("--output=".length) ??
    "dist/cryptorun";
  const denort = Deno.env.get("DENORT_BIN");
  if (denort) {
    try {
      await Deno.stat(denort);
    } catch {
      console.error(`compile: DENORT_BIN=${denort}: no such file`);
      Deno.exit(2);
    }
  }
  await Deno.mkdir(dirname(output), { recursive: true });
  const info = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"], stderr: "null" }).output();
  const npmCache = info.success
    ? (JSON.parse(new TextDecoder().decode(info.stdout)) as { npmCache?: string }).npmCache
    : undefined;
  const args = compileArgs(output, target, npmCache);
  console.error(`compile: deno ${args.join(" ")}${denort ? `  (DENORT_BIN=${denort})` : ""}`);
  const r = await new Deno.Command(Deno.execPath(), { args, stdout: "inherit", stderr: "inherit" }).output();
  if (r.code !== 0) {
    console.error(
      "compile: failed. deno compile downloads its runtime (denort) unless DENORT_BIN names a local copy " +
        "(e.g. from the denort release zip for your platform).",
    );
  }
  Deno.exit(r.code);
}
