/**
 * The embedded default backend: one append-only NDJSON file per topic (`<file_dir>/<topic>.ndjson`), one
 * wire-form envelope per line (envelope.ts `encodeEnvelope`: the payload bytes on the line are exactly the
 * hashed bytes). Writes go out in chunks of at most `batch_bytes`; `close` fsyncs every file it wrote.
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
      let parts: string[] = [];
      let size = 0;
      let count = 0;
      for (const e of envelopes) {
        const line = encodeEnvelope(e);
        // Lines are mostly ASCII: length is a close lower bound of the UTF-8 size.
        if (size > 0 && size + line.length + 1 > batchBytes) {
          signal?.throwIfAborted();
          await writeAll(f, enc.encode(parts.join("\n") + "\n"));
          envelopesTotal.inc({ kind: "file", direction: "sent", topic }, count);
          parts = [];
          size = 0;
          count = 0;
        }
        parts.push(line);
        size += line.length + 1;
        count++;
      }
      await writeAll(f, enc.encode(parts.join("\n") + "\n"));
      envelopesTotal.inc({ kind: "file", direction: "sent", topic }, count);
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
