/**
 * Consumer side of the file backend: follows `<topic>.ndjson` like `tail -f`, one committed byte offset per
 * consumer group in `<topic>.offsets/<group>.json` (written atomically). Only whole lines (ending in "\n")
 * are delivered, so a line being written is never read half. Lines are decoded as strict UTF-8; one that is
 * not valid UTF-8 is delivered with its exact bytes (`Delivery.bytes`) for the DLQ. The committed offset
 * advances over the contiguous prefix of acked lines, so anything unacked at a crash is delivered again on
 * restart.
 */
import { z } from "zod";
import type { StreamConfig } from "../../config/sections/stream.ts";
import { atomicWriteFile } from "../../util/atomic_write.ts";
import { InputError } from "../../util/errors.ts";
import { readStateFile } from "../../util/state_file.ts";
import { sleepUnlessAborted } from "../../util/sleep.ts";
import type { Delivery, Source, SourceOptions } from "../source.ts";
import { offsetFile, topicFile } from "./paths.ts";

const OffsetState = z.strictObject({
  topic: z.string(),
  group: z.string(),
  offset: z.number().int().nonnegative(),
});

const CHUNK = 1 << 20;
/** A signal that never aborts, for polls without one. */
const NEVER = new AbortController().signal;

export async function createSource(
  cfg: StreamConfig,
  dataDir: string,
  _env: Record<string, string>,
  opts: SourceOptions,
): Promise<Source> {
  return await fileSource(
    topicFile(cfg, dataDir, opts.topic),
    offsetFile(cfg, dataDir, opts.topic, opts.group),
    opts,
  );
}

/** Follows the NDJSON file `path`, keeping the group's committed offset in `statePath`. */
export async function fileSource(path: string, statePath: string, opts: SourceOptions): Promise<Source> {
  let committed = 0;
  const st = await readStateFile(statePath, OffsetState);
  if (st.status === "invalid") throw new InputError(`${statePath}: ${st.reason}`);
  if (st.status === "ok") committed = st.value.offset;
  let readPos = committed;
  /** Delivered, not yet acked: start offset → end offset. */
  const inflight = new Map<number, number>();
  const acked = new Set<number>();
  let file: Deno.FsFile | undefined;
  const strict = new TextDecoder("utf-8", { fatal: true });
  const lossy = new TextDecoder("utf-8", { fatal: false });

  async function open(): Promise<Deno.FsFile | undefined> {
    if (file) return file;
    try {
      file = await Deno.open(path, { read: true });
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return undefined;
      throw err;
    }
    return file;
  }

  async function readSome(max: number): Promise<Delivery[]> {
    const f = await open();
    if (!f) return [];
    const size = (await f.stat()).size;
    if (size < readPos) {
      throw new InputError(
        `${path}: file is shorter (${size} B) than the committed offset ${readPos}: truncated?`,
      );
    }
    const out: Delivery[] = [];
    while (out.length < max && readPos < size) {
      const len = Math.min(CHUNK, size - readPos);
      const buf = new Uint8Array(len);
      await f.seek(readPos, Deno.SeekMode.Start);
      let got = 0;
      while (got < len) {
        const n = await f.read(buf.subarray(got));
        if (n === null) break;
        got += n;
      }
      let start = 0;
      let advanced = false;
      for (let i = 0; i < got && out.length < max; i++) {
        if (buf[i] !== 0x0a) continue;
        const lineStart = readPos + start;
        const lineEnd = readPos + i + 1;
        const line = buf.subarray(start, i);
        start = i + 1;
        advanced = true;
        inflight.set(lineStart, lineEnd);
        let text: string;
        try {
          text = strict.decode(line).replace(/\r$/, "");
        } catch {
          // Not valid UTF-8: delivered with its exact bytes, so the DLQ keeps what was in the file.
          out.push({ id: String(lineStart), text: lossy.decode(line), bytes: line.slice() });
          continue;
        }
        if (text.trim() === "") {
          acked.add(lineStart); // blank lines carry nothing: committed past silently
          continue;
        }
        out.push({ id: String(lineStart), text });
      }
      if (!advanced) {
        if (len === CHUNK) {
          throw new InputError(`${path}: a line at byte ${readPos} is longer than ${CHUNK} bytes`);
        }
        break; // only a partial line is left: it is still being written
      }
      readPos += start;
    }
    return out;
  }

  return {
    async poll(max, blockMs, signal) {
      const deadline = Date.now() + blockMs;
      for (;;) {
        const got = await readSome(max);
        if (got.length > 0 || signal?.aborted || Date.now() >= deadline) {
          await commitIfAdvanced();
          return got;
        }
        await sleepUnlessAborted(Math.min(100, Math.max(0, deadline - Date.now())), signal ?? NEVER);
      }
    },
    async ack(ids) {
      for (const id of ids) acked.add(Number(id));
      await commitIfAdvanced();
    },
    close() {
      file?.close();
      file = undefined;
      return Promise.resolve();
    },
  };

  async function commitIfAdvanced(): Promise<void> {
    let next = committed;
    while (acked.has(next)) {
      const end = inflight.get(next)!;
      acked.delete(next);
      inflight.delete(next);
      next = end;
    }
    if (next !== committed) {
      committed = next;
      await atomicWriteFile(
        statePath,
        JSON.stringify({ topic: opts.topic, group: opts.group, offset: committed }) + "\n",
      );
    }
  }
}
