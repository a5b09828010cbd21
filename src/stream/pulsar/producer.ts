/**
 * Pulsar backend over the WebSocket producer API: one socket per topic, key = symbol (Pulsar routes by
 * key), properties carry the checksum. `send` resolves when every message of the call has an "ok" receipt;
 * any send-error, a dropped socket, or a window whose receipts do not all arrive within
 * `stream.pulsar_send_timeout_ms` rejects (the caller retries; consumers de-duplicate by checksum; a receipt
 * arriving after the timeout is ignored).
 * Broker-side compression is a Pulsar namespace/producer setting (docs/STREAMING.md).
 */
import type { StreamConfig } from "../../config/sections/stream.ts";
import { envelopesTotal } from "../../metrics/metrics.ts";
import { encodeEnvelope } from "../envelope.ts";
import type { Producer } from "../producer.ts";
import { authHeaders, encodePayload, openSocket, producerUrl, type Socket } from "./ws.ts";

interface Pending {
  resolve(): void;
  reject(err: Error): void;
}

export async function createProducer(
  cfg: StreamConfig,
  _dataDir: string,
  env: Record<string, string>,
): Promise<Producer> {
  const headers = await authHeaders(cfg, env);
  const sockets = new Map<string, { sock: Socket; pending: Map<string, Pending> }>();
  let seq = 0;
  let closed = false;

  async function socketFor(topic: string) {
    const have = sockets.get(topic);
    if (have && have.sock.isOpen()) return have;
    const pending = new Map<string, Pending>();
    const url = producerUrl(cfg, topic);
    const sock = await openSocket(url, headers, (msg) => {
      const ctx = String(msg.context ?? "");
      const p = pending.get(ctx);
      if (!p) return;
      pending.delete(ctx);
      if (msg.result === "ok") p.resolve();
      else p.reject(new Error(`pulsar: ${topic}: ${msg.result}: ${msg.errorMsg ?? ""}`));
    }, (reason) => {
      for (const p of pending.values()) {
        p.reject(new Error(`pulsar: producer socket for ${topic} closed: ${reason}`));
      }
      pending.clear();
    });
    const entry = { sock, pending };
    sockets.set(topic, entry);
    return entry;
  }

  /** Waits for the receipts of one window of messages, at most `stream.pulsar_send_timeout_ms`. */
  async function receipts(
    topic: string,
    pending: Map<string, Pending>,
    contexts: string[],
    inflight: Promise<void>[],
  ): Promise<void> {
    const ms = cfg.pulsar_send_timeout_ms;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const missing = contexts.filter((c) => pending.delete(c)).length;
        reject(
          new Error(
            `pulsar: ${topic}: no send receipt for ${missing} of ${contexts.length} messages within ${ms} ms ` +
              `(stream.pulsar_send_timeout_ms)`,
          ),
        );
      }, ms);
    });
    try {
      await Promise.race([Promise.all(inflight), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    async send(topic, envelopes, signal) {
      if (closed) throw new Error("pulsar producer: send after close");
      signal?.throwIfAborted();
      const { sock, pending } = await socketFor(topic);
      // Window the in-flight messages by batch_bytes so a huge call does not flood the socket.
      let inflight: Promise<void>[] = [];
      let contexts: string[] = [];
      let bytes = 0;
      for (const e of envelopes) {
        const context = String(++seq);
        const payload = encodePayload(encodeEnvelope(e));
        inflight.push(new Promise<void>((resolve, reject) => pending.set(context, { resolve, reject })));
        contexts.push(context);
        sock.send({ payload, key: e.symbol, context, properties: { checksum: e.checksum, version: "1" } });
        bytes += payload.length;
        if (bytes >= cfg.batch_bytes) {
          await receipts(topic, pending, contexts, inflight);
          envelopesTotal.inc({ kind: "pulsar", direction: "sent", topic }, inflight.length);
          inflight = [];
          contexts = [];
          bytes = 0;
          signal?.throwIfAborted();
        }
      }
      await receipts(topic, pending, contexts, inflight);
      envelopesTotal.inc({ kind: "pulsar", direction: "sent", topic }, inflight.length);
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const { sock } of sockets.values()) await sock.close();
      sockets.clear();
    },
  };
}
