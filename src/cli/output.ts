/**
 * The CLI's buffered line writer for stdout and stderr: lines are collected and written in large chunks
 * (one system call per `thresholdChars`, not per line), at once on a terminal (`lineBuffered`), when the
 * program next waits (a zero-delay timer: a long-running command's line is not held back), and whatever is
 * left when `flush()` is called (main.ts calls it before every exit). A reader that went away (`cryptorun
 * cold dump … | head -1`) ends the output quietly: `onBrokenPipe` runs once and later lines are dropped.
 */

export interface SyncSink {
  /** Writes a prefix of `p`; the bytes are valid during the call only (the writer reuses its buffer). */
  writeSync(p: Uint8Array): number;
}

export interface LineWriter {
  /** Queues one line (a newline is added); writes when the buffer is full or on a terminal. */
  line(text: string): void;
  /** Writes everything queued. */
  flush(): void;
}

export interface LineWriterOptions {
  /** A terminal: every line is written at once (interactive order, progress bars). */
  lineBuffered: boolean;
  /** Flush once this many UTF-16 code units are queued (default 64 Ki). */
  thresholdChars?: number;
  /** Called before this writer writes (e.g. stderr flushes stdout first, keeping `2>&1` in program order). */
  beforeWrite?: () => void;
  /** The reader closed the pipe: called once; the writer drops everything after. */
  onBrokenPipe?: () => void;
  /** Also write once the program next yields to the event loop (default true; tests turn it off). */
  flushWhenIdle?: boolean;
}

const enc = new TextEncoder();

export function createLineWriter(sink: SyncSink, o: LineWriterOptions): LineWriter {
  const threshold = o.thresholdChars ?? 64 * 1024;
  let queued: string[] = [];
  let chars = 0;
  let broken = false;
  let idle: ReturnType<typeof setTimeout> | undefined;
  // One buffer the text is encoded into, reused from write to write (a dump writes megabytes: no new array per
  // chunk), sized for the worst case, 3 bytes per UTF-16 code unit; a text over 1 Mi code units (one huge
  // report) gets an array of its own rather than growing the buffer for good.
  let scratch = new Uint8Array(0);

  function encoded(text: string): Uint8Array {
    if (text.length > 1 << 20) return enc.encode(text);
    if (scratch.length < 3 * text.length) {
      scratch = new Uint8Array(Math.max(3 * text.length, 2 * scratch.length));
    }
    return scratch.subarray(0, enc.encodeInto(text, scratch).written);
  }

  function write(text: string): void {
    if (broken || text === "") return;
    o.beforeWrite?.();
    const bytes = encoded(text);
    try {
      let off = 0;
      while (off < bytes.length) off += sink.writeSync(bytes.subarray(off));
    } catch (err) {
      if (!(err instanceof Deno.errors.BrokenPipe)) throw err;
      broken = true;
      o.onBrokenPipe?.();
    }
  }

  function flush(): void {
    if (idle !== undefined) {
      clearTimeout(idle);
      idle = undefined;
    }
    if (queued.length === 0) return;
    const text = queued.join("");
    queued = [];
    chars = 0;
    write(text);
  }

  return {
    line(text) {
      if (broken) return;
      queued.push(text + "\n");
      chars += text.length + 1;
      if (o.lineBuffered || chars >= threshold) flush();
      else if (idle === undefined && o.flushWhenIdle !== false) {
        idle = setTimeout(flush, 0);
      }
    },
    flush,
  };
}
