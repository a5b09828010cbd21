#!/usr/bin/env -S deno run --allow-read --allow-write --allow-net --allow-env --allow-sys
/**
 * cryptorun — the single executable. Subcommands live in src/cli/commands/, wired in src/cli/registry.ts.
 */
import { createLineWriter } from "./src/cli/output.ts";
import { runCli } from "./src/cli/run.ts";

if (import.meta.main) {
  const ac = new AbortController();
  let signals = 0;
  // Results on stdout are written in large chunks unless it is a terminal; logs on stderr line by line on a
  // terminal (progress bars share it). Everything queued is written before the process exits.
  const stdout = createLineWriter(Deno.stdout, {
    lineBuffered: Deno.stdout.isTerminal(),
    // The reader went away (`cryptorun cold dump … | head`): stop quietly, like any Unix tool.
    onBrokenPipe: () => exit(0),
  });
  const stderr = createLineWriter(Deno.stderr, {
    lineBuffered: Deno.stderr.isTerminal(),
    beforeWrite: () => stdout.flush(),
  });
  const exit = (code: number): never => {
    try {
      stdout.flush();
    } finally {
      stderr.flush();
    }
    Deno.exit(code);
  };
  const onSignal = () => {
    signals++;
    if (signals > 1) exit(130);
    ac.abort(new DOMException("interrupted", "AbortError"));
  };
  try {
    Deno.addSignalListener("SIGINT", onSignal);
    Deno.addSignalListener("SIGTERM", onSignal);
  } catch { /* signals unsupported on this platform */ }
  const code = await runCli(Deno.args, {
    stdout: (line) => stdout.line(line),
    stderr: (line) => stderr.line(line),
    stderrIsTty: Deno.stderr.isTerminal(),
    env: Deno.env.toObject(),
    signal: ac.signal,
  });
  exit(code);
}
