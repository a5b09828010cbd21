import { sseClients, sseThroughput } from "../metrics/metrics.ts";

/** One server-sent event as kept in the replay buffer. */
export interface SseEvent {
  id: number;
  event: string;
  data: string;
}

export interface EventHubOptions {
  /** Bounded metric label, e.g. "scan". */
  stream: string;
  maxClients: number;
  /** Events kept for clients reconnecting with Last-Event-ID. */
  replay: number;
  heartbeatMs: number;
  /** A client whose unread backlog exceeds this many bytes is disconnected (it reconnects and replays). */
  maxBufferedBytes?: number;
}

export interface EventHub {
  /** Sends an event to every client; `data` is JSON-encoded (one line). Returns the event id. */
  publish(event: string, data: unknown): number;
  /** A new client stream, replaying events after `lastEventId`; null when the client limit is reached. */
  subscribe(lastEventId?: number): ReadableStream<Uint8Array> | null;
  clients(): number;
  /** Ends every client stream and stops the heartbeat. */
  close(): void;
}

const enc = new TextEncoder();

/** Encodes one event in the SSE wire format (data is a single line: JSON never contains a raw newline). */
export function encodeEvent(e: SseEvent): Uint8Array {
  return enc.encode(`id: ${e.id}\nevent: ${e.event}\ndata: ${e.data}\n\n`);
}

interface Client {
  ctl: ReadableStreamDefaultController<Uint8Array>;
}

/**
 * Fan-out of events (scan results) to SSE clients with replay (Last-Event-ID), a client cap, keep-alive
 * comments, and slow-client eviction so one stuck reader cannot grow memory without bound.
 * Every event written to a client counts in cryptorun_sse_throughput{stream}.
 */
export function createEventHub(opts: EventHubOptions): EventHub {
  const clients = new Set<Client>();
  const history: SseEvent[] = [];
  const maxBuffered = opts.maxBufferedBytes ?? 4 * 1024 * 1024;
  let nextId = 1;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let closed = false;
  sseThroughput.inc({ stream: opts.stream }, 0);
  sseClients.set({ stream: opts.stream }, 0);

  const updateGauge = () => sseClients.set({ stream: opts.stream }, clients.size);

  function drop(c: Client): void {
    if (!clients.delete(c)) return;
    try {
      c.ctl.close();
    } catch { /* already closed */ }
    updateGauge();
    if (clients.size === 0 && heartbeat !== undefined) {
      clearInterval(heartbeat);
      heartbeat = undefined;
    }
  }

  function write(c: Client, bytes: Uint8Array, counts: boolean): void {
    // desiredSize goes negative by the bytes the reader has not taken yet.
    const backlog = -(c.ctl.desiredSize ?? 0);
    if (backlog > maxBuffered) {
      drop(c);
      return;
    }
    try {
      c.ctl.enqueue(bytes);
      if (counts) sseThroughput.inc({ stream: opts.stream });
    } catch {
      drop(c);
    }
  }

  return {
    publish(event, data) {
      if (!/^[a-z][a-z0-9_.-]{0,63}$/.test(event)) {
        throw new Error(`event name ${JSON.stringify(event)} is not allowed`);
      }
      const e: SseEvent = { id: nextId++, event, data: JSON.stringify(data) ?? "null" };
      if (opts.replay > 0) {
        history.push(e);
        if (history.length > opts.replay) history.shift();
      }
      const bytes = encodeEvent(e);
      for (const c of [...clients]) write(c, bytes, true);
      return e.id;
    },
    subscribe(lastEventId) {
      if (closed || clients.size >= opts.maxClients) return null;
      let client: Client;
      return new ReadableStream<Uint8Array>({
        start(ctl) {
          client = { ctl };
          clients.add(client);
          updateGauge();
          // Tell the browser how long to wait before reconnecting, then replay what it missed.
          ctl.enqueue(enc.encode(`retry: 3000\n: cryptorun ${opts.stream} events\n\n`));
          if (lastEventId !== undefined) {
            for (const e of history) if (e.id > lastEventId) write(client, encodeEvent(e), true);
          }
          if (heartbeat === undefined) {
            heartbeat = setInterval(() => {
              const ping = enc.encode(`: keep-alive ${new Date().toISOString()}\n\n`);
              for (const c of [...clients]) write(c, ping, false);
            }, opts.heartbeatMs);
          }
        },
        cancel() {
          drop(client);
        },
      }, { highWaterMark: 0, size: (chunk) => chunk.byteLength });
    },
    clients: () => clients.size,
    close() {
      closed = true;
      for (const c of [...clients]) drop(c);
      if (heartbeat !== undefined) clearInterval(heartbeat);
      heartbeat = undefined;
    },
  };
}
