import { z } from "zod";
import { InputError, show } from "../../util/errors.ts";

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
}

/** Streams a replay file's frames (any size: read in chunks). Bad record lines → InputError file:line. */
export async function* readReplayFile(path: string, signal?: AbortSignal): AsyncGenerator<ReplayFrame> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (err) {
    throw new InputError(`--replay ${show(path)}: cannot open (${(err as Error).name})`);
  }
  const reader = file.readable.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  let line = 0;
  try {
    while (true) {
      if (signal?.aborted) return;
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const text = buf.slice(0, nl).replace(/\r$/, "");
        buf = buf.slice(nl + 1);
        line++;
        const f = toFrame(path, line, text);
        if (f) yield f;
      }
    }
    if (buf.length > 0) {
      line++;
      const f = toFrame(path, line, buf.replace(/\r$/, ""));
      if (f) yield f;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

function toFrame(path: string, line: number, text: string): ReplayFrame | undefined {
  if (text.trim() === "") return undefined;
  if (text.startsWith('{"cryptorun_record"')) {
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch {
      throw new InputError(`${path}:${line}: record line is not JSON: ${show(text)}`);
    }
    const r = RecordLine.safeParse(obj);
    if (!r.success) {
      const iss = r.error.issues[0];
      throw new InputError(`${path}:${line}: ${iss.path.join(".")}: ${iss.message}`);
    }
    return { line, text: r.data.frame, recvMs: r.data.recv_ms };
  }
  return { line, text };
}
