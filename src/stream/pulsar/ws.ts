/**
 * Pulsar's WebSocket API (no native client): URLs, message encoding and a small promise-based socket.
 * Producer: `<ws>/producer/persistent/<tenant>/<ns>/<topic>`, send `{payload: base64, key, properties,
 * context}`, receipt `{result: "ok", messageId, context}` or `{result: "send-error:…", errorMsg, context}`.
 * Consumer: `<ws>/consumer/persistent/<tenant>/<ns>/<topic>/<subscription>?subscriptionType=Shared`,
 * messages `{messageId, payload, key, properties, publishTime, redeliveryCount}`, ack `{messageId}`.
 */
import { Buffer } from "node:buffer";
import type { StreamConfig } from "../../config/sections/stream.ts";
import { resolveSecret } from "../../config/secrets.ts";
import { ConfigError } from "../../util/errors.ts";
import { checkTopic } from "../topic.ts";

export function producerUrl(cfg: StreamConfig, topic: string): string {
  checkTopic(topic);
  return `${base(cfg)}/producer/persistent/${cfg.pulsar_tenant}/${cfg.pulsar_namespace}/${topic}`;
}

export function consumerUrl(cfg: StreamConfig, topic: string, subscription: string): string {
  checkTopic(topic);
  return `${base(cfg)}/consumer/persistent/${cfg.pulsar_tenant}/${cfg.pulsar_namespace}/${topic}/${
    encodeURIComponent(subscription)
  }?subscriptionType=Shared&receiverQueueSize=1000`;
}

function base(cfg: StreamConfig): string {
  if (!/^wss?:\/\/[^\s]+$/.test(cfg.pulsar_ws_url)) {
    throw new ConfigError(
      `stream.pulsar_ws_url: expected ws://… or wss://…, found ${JSON.stringify(cfg.pulsar_ws_url)}`,
    );
  }
  return cfg.pulsar_ws_url.replace(/\/+$/, "");
}

export function encodePayload(text: string): string {
  return Buffer.from(text, "utf8").toString("base64");
}

export function decodePayload(b64: string): string {
  return Buffer.from(b64, "base64").toString("utf8");
}

/** Authorization header from the token secret (stream.pulsar_token_env), when set. */
export async function authHeaders(
  cfg: StreamConfig,
  env: Record<string, string>,
): Promise<Record<string, string>> {
  const t = await resolveSecret({ env: cfg.pulsar_token_env }, "stream.pulsar_token", env);
  return t.value ? { Authorization: `Bearer ${t.value}` } : {};
}

export interface Socket {
  ws: WebSocket;
  send(obj: unknown): void;
  /** Resolves when closed. */
  closed: Promise<void>;
  isOpen(): boolean;
  close(): Promise<void>;
}

/** Opens a WebSocket (rejects on error or after `timeoutMs`) and routes JSON messages to `onMessage`. */
export function openSocket(
  url: string,
  headers: Record<string, string>,
  onMessage: (msg: Record<string, unknown>) => void,
  onClose: (reason: string) => void,
  timeoutMs = 5_000,
): Promise<Socket> {
  return new Promise((resolve, reject) => {
    // Deno's WebSocket takes headers (Authorization for Pulsar's token auth).
    const ws = new WebSocket(url, { headers } as unknown as string[]);
    let opened = false;
    let resolveClosed!: () => void;
    const closed = new Promise<void>((r) => (resolveClosed = r));
    const timer = setTimeout(() => {
      if (!opened) {
        ws.close();
        reject(new Error(`pulsar: no WebSocket connection to ${url} within ${timeoutMs} ms`));
      }
    }, timeoutMs);
    ws.onopen = () => {
      opened = true;
      clearTimeout(timer);
      resolve({
        ws,
        send: (obj) => ws.send(JSON.stringify(obj)),
        closed,
        isOpen: () => ws.readyState === WebSocket.OPEN,
        async close() {
          if (ws.readyState === WebSocket.CLOSED) return;
          ws.close(1000);
          await closed;
        },
      });
    };
    ws.onmessage = (ev) => {
      try {
        onMessage(JSON.parse(String(ev.data)));
      } catch { /* not JSON: ignored */ }
    };
    ws.onerror = (ev) => {
      if (!opened) {
        clearTimeout(timer);
        reject(new Error(`pulsar: cannot connect to ${url}: ${(ev as ErrorEvent).message ?? "error"}`));
      }
    };
    ws.onclose = (ev) => {
      clearTimeout(timer);
      resolveClosed();
      if (!opened) reject(new Error(`pulsar: connection to ${url} closed (${ev.code} ${ev.reason})`));
      else onClose(`${ev.code} ${ev.reason}`);
    };
  });
}
