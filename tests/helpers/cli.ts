import { runCli } from "../../src/cli/run.ts";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with captured output (fast; use `spawnCli` to test the real process). */
export async function runCliCaptured(
  argv: string[],
  env: Record<string, string> = {},
): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    stdout: (l) => out.push(l),
    stderr: (l) => err.push(l),
    stderrIsTty: false,
    env,
  });
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

/** Runs `deno run <task permissions> main.ts …` as a child process, exactly like `deno task cryptorun`. */
export async function spawnCli(
  argv: string[],
  opts: { env?: Record<string, string>; cwd?: string; stdin?: string } = {},
): Promise<CliResult> {
  const root = new URL("../../", import.meta.url).pathname;
  const cmd = new Deno.Command(Deno.execPath(), {
    args: ["run", ...CLI_PERMISSIONS, `${root}main.ts`, ...argv],
    cwd: opts.cwd ?? root,
    env: { NO_COLOR: "1", ...opts.env },
    stdin: opts.stdin !== undefined ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  });
  const child = cmd.spawn();
  if (opts.stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(opts.stdin));
    await w.close();
  }
  const r = await child.output();
  const dec = new TextDecoder();
  return { code: r.code, stdout: dec.decode(r.stdout), stderr: dec.decode(r.stderr) };
}

/** The permission flags of the `cryptorun` task in deno.json (the compiled binary gets the same). */
export const CLI_PERMISSIONS: string[] = (() => {
  const root = new URL("../../deno.json", import.meta.url);
  const cfg = JSON.parse(Deno.readTextFileSync(root));
  const task: string = cfg.tasks.cryptorun;
  return task.split(/\s+/).filter((t) => t.startsWith("--allow-") || t.startsWith("--deny-"));
})();
