#!/usr/bin/env -S deno run --allow-read --allow-write --allow-net --allow-env --allow-sys
/**
 * cryptorun — the single executable. Subcommands live in src/cli/commands/, wired in src/cli/registry.ts.
 */
import { runCli } from "./src/cli/run.ts";

if (import.meta.main) {
  const enc = new TextEncoder();
  const ac = new AbortController();
  let signals = 0;
  const onSignal = () => {
    signals++;
    if (signals > 1) Deno.exit(130);
    ac.abort(new DOMException("interrupted", "AbortError"));
  };
  try {
    Deno.addSignalListener("SIGINT", onSignal);
    Deno.addSignalListener("SIGTERM", onSignal);
  } catch { /* signals unsupported on this platform */ }
  const code = await runCli(Deno.args, {
    stdout: (line) => writeAll(Deno.stdout, enc.encode(line + "\n")),
    stderr: (line) => writeAll(Deno.stderr, enc.encode(line + "\n")),
    stderrIsTty: Deno.stderr.isTerminal(),
    env: Deno.env.toObject(),
    signal: ac.signal,
  });
  Deno.exit(code);
}

function writeAll(w: { writeSync(p: Uint8Array): number }, bytes: Uint8Array): void {
  try {
    let off = 0;
    while (off < bytes.length) off += w.writeSync(bytes.subarray(off));
  } catch (err) {
    // The reader went away (`cryptorun cold dump … | head`): stop quietly, like any Unix tool.
    if (err instanceof Deno.errors.BrokenPipe) Deno.exit(0);
    throw err;
  }
}
