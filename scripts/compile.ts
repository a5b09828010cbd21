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

export function compileArgs(output = "dist/cryptorun", target?: string): string[] {
  return [
    "compile",
    ...COMPILE_PERMISSIONS,
    ...COMPILE_INCLUDES.flatMap((p) => ["--include", p]),
    ...(target ? ["--target", target] : []),
    "--output",
    output,
    "main.ts",
  ];
}

if (import.meta.main) {
  const target = Deno.args.find((a) => a.startsWith("--target="))?.slice("--target=".length);
  const denort = Deno.env.get("DENORT_BIN");
  if (denort) {
    try {
      await Deno.stat(denort);
    } catch {
      console.error(`compile: DENORT_BIN=${denort}: no such file`);
      Deno.exit(2);
    }
  }
  await Deno.mkdir("dist", { recursive: true });
  const args = compileArgs("dist/cryptorun", target);
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
