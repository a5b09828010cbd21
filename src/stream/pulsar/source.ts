/**
 * Consumer side of the Pulsar backend: a Shared subscription over the WebSocket consumer API. Messages
 * pushed by the broker are queued; `poll` hands them out; `ack` sends `{messageId}` for each. A dropped
 * socket is reopened on the next poll; Pulsar redelivers what was not acked.
 */
import type { StreamConfig } from "../../config/sections/stream.ts";
import type { Delivery, Source, SourceOptions } from "../source.ts";
import { sleepUnlessAborted } from "../../util/sleep.ts";
import { authHeaders, consumerUrl, decodePayload, openSocket, type Socket } from "./ws.ts";

export async function createSource(
  cfg: StreamConfig,
  _dataDir: string,
  env: Record<string, string>,
  opts: SourceOptions,
): Promise<Source> {
  const headers = await authHeaders(cfg, env);
  const url = consumerUrl(cfg, opts.topic, opts.group);
  const queue: Delivery[] = [];
  let sock: Socket | undefined;
  let wake: (() => void) | undefined;

  async function connect(): Promise<Socket> {
    if (sock && sock.isOpen()) return sock;
    queue.length = 0; // unacked messages of a dead socket are redelivered by the broker
    sock = await openSocket(url, headers, (msg) => {
      if (typeof msg.messageId !== "string" || typeof msg.payload !== "string") return;
      queue.push({ id: msg.messageId, text: decodePayload(msg.payload) });
      wake?.();
    }, () => wake?.());
    return sock;
  }
  await connect();

  return {
    async poll(max, blockMs, signal) {
      await connect();
      const deadline = Date.now() + blockMs;
      while (queue.length === 0 && !signal?.aborted && Date.now() < deadline) {
        if (!sock?.isOpen()) throw new Error("pulsar: consumer socket closed");
        const ac = new AbortController();
        wake = () => ac.abort();
        const onAbort = () => ac.abort();
        signal?.addEventListener("abort", onAbort, { once: true });
        await sleepUnlessAborted(Math.max(0, deadline - Date.now()), ac.signal);
        signal?.removeEventListener("abort", onAbort);
        wake = undefined;
      }
      return queue.splice(0, max);
    },
    async ack(ids) {
      const s = await connect();
      for (const id of ids) s.send({ messageId: id });
    },
    async close() {
      await sock?.close();
    },
  };
}
