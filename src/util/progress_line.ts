/**
 * The terminal line a progress bar is drawn on (no cli-progress here: the CLI's log sink imports this for
 * every command, the bar itself is src/util/progress.ts).
 */

const enc = new TextEncoder();

/**
 * stderr as a synchronous stream for cli-progress. Node's process.stderr is asynchronous in Deno, so a bar's
 * last redraw could land after log lines and results that were written synchronously; writing through
 * Deno.stderr.writeSync keeps the terminal in program order.
 */
export const syncStderr = {
  isTTY: true,
  get columns(): number {
    try {
      return Deno.consoleSize().columns;
    } catch {
      return 80;
    }
  },
  write(chunk: string | Uint8Array): boolean {
    const bytes = typeof chunk === "string" ? enc.encode(chunk) : chunk;
    try {
      let off = 0;
      while (off < bytes.length) off += Deno.stderr.writeSync(bytes.subarray(off));
    } catch { /* a closed terminal must not crash the job */ }
    return true;
  },
  on() {
    return syncStderr;
  },
  once() {
    return syncStderr;
  },
  removeListener() {
    return syncStderr;
  },
  off() {
    return syncStderr;
  },
};

/** Bars currently drawn on stderr (at most one in practice). */
export const activeBars = new Set<{ render(): void }>();

/**
 * Clears the line a progress bar is drawn on, so that a log line written next starts on a clean line; the bar
 * redraws itself below it on its next tick. The CLI's log sink calls this before every line. No-op without a bar.
 */
export function clearProgressLine(): void {
  if (activeBars.size === 0) return;
  syncStderr.write("\r\x1b[2K");
}
