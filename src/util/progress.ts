import process from "node:process";
import cliProgress from "cli-progress";

export interface Progress {
  /** Sets the absolute position. */
  update(done: number, label?: string): void;
  increment(by?: number): void;
  setTotal(total: number): void;
  stop(): void;
}

const noop: Progress = { update() {}, increment() {}, setTotal() {}, stop() {} };

/**
 * A progress bar on stderr when `interactive` (a TTY, no --quiet, no --json); otherwise a no-op.
 * Backed by npm:cli-progress.
 */
export function createProgress(interactive: boolean, title: string, total: number, unit = "rows"): Progress {
  if (!interactive) return noop;
  const bar = new cliProgress.SingleBar(
    {
      format: `${title} [{bar}] {percentage}% | {value}/{total} ${unit} | {eta_formatted} left {label}`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { label: "" });
  return {
    update: (done, label) => bar.update(done, { label: label ?? "" }),
    increment: (by = 1) => bar.increment(by),
    setTotal: (t) => bar.setTotal(t),
    stop: () => bar.stop(),
  };
}
