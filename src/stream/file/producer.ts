/**
 * The embedded default backend: one append-only NDJSON file per topic (`<file_dir>/<topic>.ndjson`), one
 * wire-form envelope per line (envelope.ts `encodeEnvelope`: the payload bytes on the line are exactly the
 * hashed bytes). Writes go out in chunks of at most `batch_bytes` bytes (a longer line alone); `close` fsyncs every file it wrote.
 */
import { dirname } from "node:path";
import type { StreamConfig } from "../../config/sections/stream.ts";
import { envelopesTotal } from "../../metrics/metrics.ts";
import { encodeEnvelope, type Envelope } from "../envelope.ts";
import type { Producer } from "../producer.ts";
import { topicFile } from "./paths.ts";

const enc = new TextEncoder();

export function createProducer(
  cfg: StreamConfig,
  dataDir: string,
  _env: Record<string, string>,
): Promise<Producer> {
  return Promise.resolve(fileProducer((topic) => topicFile(cfg, dataDir, topic), cfg.batch_bytes));
}

/** A file producer writing topic `t` to `pathFor(t)` (the CLI's `--sink FILE` maps the topic to FILE). */
export function fileProducer(pathFor: (topic: string) => string, batchBytes: number): Producer {
  const files = new Map<string, Deno.FsFile>();
  let closed = false;
  /** The encode buffer, when no send is using it (concurrent sends each get their own). */
  let spare: Uint8Array | undefined;

  async function fileFor(topic: string): Promise<Deno.FsFile> {
    let f = files.get(topic);
    if (!f) {
      const path = pathFor(topic);
      await Deno.mkdir(dirname(path), { recursive: true });
      f = await Deno.open(path, { append: true, create: true });
      files.set(topic, f);
    }
    return f;
  }

  async function writeAll(f: Deno.FsFile, bytes: Uint8Array): Promise<void> {
    let off = 0;
    while (off < bytes.length) off += await f.write(bytes.subarray(off));
  }

  return {
    async send(topic, envelopes: Envelope[], signal) {
      if (closed) throw new Error("file producer: send after close");
      signal?.throwIfAborted();
      if (envelopes.length === 0) return;
      const f = await fileFor(topic);
      // Lines are UTF-8-encoded straight into one reused buffer (joining the strings first costs ~4× more).
      let buf = spare ?? new Uint8Array(Math.max(batchBytes, 4096));
      spare = undefined;
      let off = 0;
      let count = 0;
      for (const e of envelopes) {
        const line = encodeEnvelope(e);
        const max = line.length * 3 + 1; // UTF-8 bytes of the line and its newline, at most
        if (off > 0 && off + max > batchBytes) {
          signal?.throwIfAborted();
          await writeAll(f, buf.subarray(0, off));
          envelopesTotal.inc({ kind: "file", direction: "sent", topic }, count);
          off = 0;
          count = 0;
        }
        if (off + max > buf.length) {
          const bigger = new Uint8Array(off + max);
          bigger.set(buf.subarray(0, off));
          buf = bigger;
        }
        off += enc.encodeInto(line, buf.subarray(off)).written;
        buf[off++] = 0x0a;
        count++;
      }
      await writeAll(f, buf.subarray(0, off));
      envelopesTotal.inc({ kind: "file", direction: "sent", topic }, count);
      if (buf.length <= Math.max(batchBytes, 4096)) spare = buf;
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const f of files.values()) {
        try {
          await f.sync();
        } finally {
          f.close();
        }
      }
      files.clear();
    },
  };
}
