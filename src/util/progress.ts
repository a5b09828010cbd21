import cliProgress from "cli-progress";
import { activeBars, syncStderr } from "./progress_line.ts";

export interface Progress {
  /** Sets the absolute position. */
  update(done: number, label?: string): void;
  increment(by?: number): void;
  setTotal(total: number): void;
  stop(): void;
}

/** The bar's tail: time left, then the caller's label. */
const ETA = " | {eta_formatted} left {label}";

const noop: Progress = { update() {}, increment() {}, setTotal() {}, stop() {} };

/**
 * A progress bar on stderr when `interactive` (a TTY, no --quiet, no --json); otherwise a no-op.
 * Backed by npm:cli-progress.
 */
export function createProgress(interactive: boolean, title: string, total: number, unit = "rows"): Progress {
  if (!interactive) return noop;
  const bar = new cliProgress.SingleBar(
    {
      format: `${title} [{bar}] {percentage}% | {value}/{total} ${unit}${ETA}`,
      stream: syncStderr as unknown as NodeJS.WritableStream,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { label: "" });
  activeBars.add(bar);
  return {
    update: (done, label) => bar.update(done, { label: label ?? "" }),
    increment: (by = 1) => bar.increment(by),
    setTotal: (t) => bar.setTotal(t),
    stop: () => {
      activeBars.delete(bar);
      // cli-progress restores the cursor it saved at start(); log lines printed meanwhile moved the bar
      // down, so save the bar's current line first (ESC 7) or the restore would jump back over them.
      syncStderr.write("\r\x1b7");
      bar.stop();
    },
  };
}
