import { z } from "zod";
import { InputError, show } from "../../util/errors.ts";
import { checkLevel } from "./book.ts";
import { issueText } from "../../util/zod_issue.ts";
import { FrameError, parseFrame, type Precision } from "./ws_messages.ts";

/**
 * Replay files: one WebSocket frame per line. Two line shapes, detected per line:
 *  - a raw frame's exact text (v1 or v2, as Kraken sent it) — e.g. a recording converted from another tool;
 *  - CryptoRun's own `--record` format: `{"cryptorun_record":1,"recv_ms":<epoch ms>,"frame":"<frame text>"}`,
 *    which keeps the receive time (it stamps v2 snapshots, which carry no exchange time).
 * Frames go through the same feed handler as live data.
 */

export const RecordLine = z.strictObject({
  cryptorun_record: z.literal(1),
  recv_ms: z.number().int().nonnegative(),
  frame: z.string().min(1),
});
export type RecordLine = z.infer<typeof RecordLine>;

/** One `--record` line for a frame received at `recvMs`. */
export function recordLine(frame: string, recvMs: number): string {
  return JSON.stringify({ cryptorun_record: 1, recv_ms: Math.round(recvMs), frame });
}

export interface ReplayFrame {
  line: number;
  text: string;
  recvMs?: number;
  /**
   * Bytes of the file read up to the end of this line (its newline included, and any blank lines before it):
   * the replay's progress. For a `--record` line it counts the whole line, not just the inner frame.
   */
  end: number;
}

const NL = 0x0a;

/**
 * Streams a replay file's frames (any size: read in chunks, split on newline bytes — a UTF-8 multi-byte
 * character never contains one — so every line's byte length is exact). Bad record lines → InputError
 * file:line.
 */
export async function* readReplayFile(path: string, signal?: AbortSignal): AsyncGenerator<ReplayFrame> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (err) {
    throw new InputError(`--replay ${show(path)}: cannot open (${(err as Error).name})`);
  }
  const reader = file.readable.getReader();
  // A BOM is dropped at the start of the file only (as TextDecoderStream did), never inside it.
  const dec = new TextDecoder("utf-8", { ignoreBOM: true });
  const decodeLine = (bytes: Uint8Array, line: number): string => {
    const text = dec.decode(bytes).replace(/\r$/, "");
    return line === 1 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  };
  let pending: Uint8Array[] = [];
  let pendingLen = 0;
  let offset = 0;
  let line = 0;
  try {
    while (true) {
      if (signal?.aborted) return;
      const { value, done } = await reader.read();
      if (done) break;
      let from = 0;
      let nl: number;
      while ((nl = value.indexOf(NL, from)) >= 0) {
        let bytes: Uint8Array = value.subarray(from, nl);
        if (pendingLen > 0) {
          pending.push(bytes);
          bytes = concat(pending, pendingLen + bytes.length);
          pending = [];
          pendingLen = 0;
        }
        offset += bytes.length + 1;
        from = nl + 1;
        line++;
        const f = toFrame(path, line, decodeLine(bytes, line), offset);
        if (f) yield f;
      }
      if (from < value.length) {
        pending.push(value.subarray(from));
        pendingLen += value.length - from;
      }
    }
    if (pendingLen > 0) {
      offset += pendingLen;
      line++;
      const f = toFrame(path, line, decodeLine(concat(pending, pendingLen), line), offset);
      if (f) yield f;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

function concat(parts: Uint8Array[], length: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function toFrame(path: string, line: number, text: string, end: number): ReplayFrame | undefined {
  if (text.trim() === "") return undefined;
  if (text.startsWith('{"cryptorun_record"')) {
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch {
      throw new InputError(`${path}:${line}: record line is not JSON: ${show(text)}`);
    }
    const r = RecordLine.safeParse(obj);
    if (!r.success) throw new InputError(`${path}:${line}: ${issueText(r.error, obj, "(frame)")}`);
    return { line, text: r.data.frame, recvMs: r.data.recv_ms, end };
  }
  return { line, text, end };
}

/**
 * Pass 1 of a replay: reads the whole file and checks every line the way the feed will — the record wrapper,
 * JSON, the frame's schema, a v2 book's precision (from `precisions` or an earlier `instrument` message) and
 * every level being applicable — without applying anything, so a bad line is found before anything is
 * written. Memory stays bounded (one line at a time, plus the precisions). Throws InputError
 * `FILE:LINE: field: reason, found value` at the first bad line; returns the number of frames, or undefined
 * when `signal` aborted the read.
 */
export async function checkReplayFile(
  path: string,
  precisions: ReadonlyMap<string, Precision>,
  opts: { signal?: AbortSignal; onProgress?: (bytes: number) => void } = {},
): Promise<number | undefined> {
  const known = new Map(precisions);
  let frames = 0;
  for await (const f of readReplayFile(path, opts.signal)) {
    try {
      for (const ev of parseFrame(f.text, (sym) => known.get(sym))) {
        if (ev.kind === "instrument") {
          for (const p of ev.pairs) known.set(p.symbol, p.precision);
        } else if (ev.kind === "book") {
          try {
            for (const c of ev.asks) checkLevel(c);
            for (const c of ev.bids) checkLevel(c);
          } catch (err) {
            // The same message the feed gives when it cannot apply the level.
            if (err instanceof RangeError) throw new FrameError(`book ${ev.venueSymbol}: ${err.message}`);
            throw err;
          }
        }
      }
    } catch (err) {
      if (err instanceof FrameError) throw new InputError(`${path}:${f.line}: ${err.message}`);
      throw err;
    }
    if (++frames % 2000 === 0) opts.onProgress?.(f.end);
  }
  return opts.signal?.aborted ? undefined : frames;
}
