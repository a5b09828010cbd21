import cliProgress from "cli-progress";

export interface Progress {
  /** Sets the absolute position. */
  update(done: number, label?: string): void;
  increment(by?: number): void;
  setTotal(total: number): void;
  stop(): void;
}

const noop: Progress = { update() {}, increment() {}, setTotal() {}, stop() {} };

const enc = new TextEncoder();

/**
 * stderr as a synchronous stream for cli-progress. Node's process.stderr is asynchronous in Deno, so a bar's
 * last redraw could land after log lines and results that were written synchronously; writing through
 * Deno.stderr.writeSync keeps the terminal in program order.
 */
const syncStderr = {
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
const active = new Set<{ render(): void }>();

/**
 * Clears the line a progress bar is drawn on, so that a log line written next starts on a clean line; the bar
 * redraws itself below it on its next tick. The CLI's log sink calls this before every line. No-op without a bar.
 */
export function clearProgressLine(): void {
  if (active.size === 0) return;
  syncStderr.write("\r\x1b[2K");
}

/**
 * A progress bar on stderr when `interactive` (a TTY, no --quiet, no --json); otherwise a no-op.
 * Backed by npm:cli-progress.
 */
export function createProgress(interactive: boolean, title: string, total: number, unit = "rows"): Progress {
  if (!interactive) return noop;
  const bar = new cliProgress.SingleBar(
    {
      format: `${title} [{bar}] {percentage}% | {value}/{total} ${unit} | {eta_formatted} left {label}`,
      stream: syncStderr as unknown as NodeJS.WritableStream,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { label: "" });
  active.add(bar);
  return {
    update: (done, label) => bar.update(done, { label: label ?? "" }),
    increment: (by = 1) => bar.increment(by),
    setTotal: (t) => bar.setTotal(t),
    stop: () => {
      active.delete(bar);
      // cli-progress restores the cursor it saved at start(); log lines printed meanwhile moved the bar
      // down, so save the bar's current line first (ESC 7) or the restore would jump back over them.
      syncStderr.write("\r\x1b7");
      bar.stop();
    },
  };
}
