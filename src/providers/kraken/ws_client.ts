import { wsReconnects } from "../../metrics/metrics.ts";
import type { Logger } from "../../log/logger.ts";
import { nullLogger } from "../../log/logger.ts";
import type { Feed } from "./feed.ts";
import { FrameError } from "./ws_messages.ts";
import { sleepUnlessAborted } from "../../util/sleep.ts";

/**
 * Kraken WebSocket v2 connection manager: connects, subscribes (instrument first, for the precisions the
 * checksum needs; then book/trade/ticker), feeds every frame to the feed handler, resubscribes a symbol's
 * book when the feed drops it, and reconnects with capped exponential backoff + full jitter when the
 * server closes the socket or goes silent (no frame — not even a heartbeat — for `silenceMs`).
 */

export interface WsClientOptions {
  url: string;
  /** Kraken v2 symbols to subscribe, e.g. ["BTC/USD", "ETH/USD"]. */
  symbols: string[];
  depth: number;
  /** Where every frame goes (its parsed events drive the subscriptions). */
  feed: Pick<Feed, "handleFrame" | "resetAll">;
  /** Subscribe to trades and ticker too (default true). */
  trades?: boolean;
  ticker?: boolean;
  signal: AbortSignal;
  log?: Logger;
  /** Reconnect when nothing arrives for this long (Kraken sends heartbeats every second). Default 10 s. */
  silenceMs?: number;
  /** Backoff: first delay and cap (ms). Defaults 500 ms, 30 s. */
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** Called with every frame's text and receive time (recording). */
  onFrame?: (text: string, recvMs: number) => void;
  /** Called once per connection after it opened (tests, logs). */
  onOpen?: (attempt: number) => void;
  random?: () => number;
}

export interface WsRunResult {
  /** Connection attempts. */
  connections: number;
  /** Attempts whose socket opened (0: the server was never reached). */
  opened: number;
  /** The last socket error or close code of an attempt, for "never connected" messages. */
  lastError?: string;
  reconnects: number;
  frames: number;
  frameErrors: number;
}

/** Full-jitter backoff delay for attempt n (0-based): uniform in [0, min(cap, base·2^n)]. */
export function backoffDelay(attempt: number, baseMs: number, capMs: number, random = Math.random): number {
  return random() * Math.min(capMs, baseMs * 2 ** attempt);
}

export interface KrakenWs {
  /** Runs until `signal` aborts. Never throws for network trouble: it reconnects. */
  run(): Promise<WsRunResult>;
  /**
   * Resubscribes one book on the open socket (unsubscribe + subscribe with a fresh snapshot): the feed's
   * `onResync` handler for live connections.
   */
  resync(venueSymbol: string): void;
}

export function createKrakenWs(o: WsClientOptions): KrakenWs {
  let resyncSend: ((venueSymbol: string) => void) | undefined;
  return {
    run: () => runKrakenWs(o, (fn) => resyncSend = fn),
    resync: (v) => resyncSend?.(v),
  };
}

async function runKrakenWs(
  o: WsClientOptions,
  setResync: (fn: (venueSymbol: string) => void) => void,
): Promise<WsRunResult> {
  const log = o.log ?? nullLogger;
  const silenceMs = o.silenceMs ?? 10_000;
  const base = o.backoffBaseMs ?? 500;
  const cap = o.backoffCapMs ?? 30_000;
  const random = o.random ?? Math.random;
  const result: WsRunResult = { connections: 0, opened: 0, reconnects: 0, frames: 0, frameErrors: 0 };
  let attempt = 0;
  let reqId = 0;

  while (!o.signal.aborted) {
    if (result.connections > 0) {
      result.reconnects++;
      wsReconnects.inc({ provider: "kraken" });
      const delay = backoffDelay(attempt, base, cap, random);
      log.warn("kraken ws: reconnecting", { attempt: attempt + 1, delay_ms: Math.round(delay) });
      attempt++;
      if (!(await sleepUnlessAborted(delay, o.signal))) break;
    }
    result.connections++;
    o.feed.resetAll();
    const healthy = await oneConnection();
    if (healthy) attempt = 0;
  }
  return result;

  /** One socket's life. Resolves true when the connection delivered book data (resets the backoff). */
  function oneConnection(): Promise<boolean> {
    return new Promise((resolve) => {
      let ws: WebSocket;
      try {
        ws = new WebSocket(o.url);
      } catch (err) {
        log.error("kraken ws: cannot connect", { url: o.url, error: (err as Error).message });
        result.lastError = (err as Error).message;
        resolve(false);
        return;
      }
      let silenceTimer: ReturnType<typeof setTimeout> | undefined;
      let gotData = false;
      let subscribedMarket = false;
      // Normalised symbol → Kraken's v2 name, from the instrument channel (BTC/USD is BTC/USD on v2, but
      // the names come from Kraken, not from an assumption).
      const venueNames = new Map<string, string>();
      const names = () => o.symbols.map((s) => venueNames.get(s) ?? s);
      const send = (msg: unknown) => {
        if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
      };
      const armSilence = () => {
        clearTimeout(silenceTimer);
        silenceTimer = setTimeout(() => {
          log.warn("kraken ws: silent, reconnecting", { silence_ms: silenceMs });
          ws.close();
        }, silenceMs);
      };
      const onAbort = () => {
        clearTimeout(silenceTimer);
        ws.close(1000, "shutdown");
      };
      o.signal.addEventListener("abort", onAbort, { once: true });

      const subscribeMarket = () => {
        if (subscribedMarket) return;
        subscribedMarket = true;
        send({
          method: "subscribe",
          params: { channel: "book", symbol: names(), depth: o.depth, snapshot: true },
          req_id: ++reqId,
        });
        if (o.trades ?? true) {
          send({
            method: "subscribe",
            params: { channel: "trade", symbol: names(), snapshot: false },
            req_id: ++reqId,
          });
        }
        if (o.ticker ?? true) {
          send({ method: "subscribe", params: { channel: "ticker", symbol: names() }, req_id: ++reqId });
        }
      };
      setResync((venueSymbol) => {
        send({
          method: "unsubscribe",
          params: { channel: "book", symbol: [venueSymbol], depth: o.depth },
          req_id: ++reqId,
        });
        send({
          method: "subscribe",
          params: { channel: "book", symbol: [venueSymbol], depth: o.depth, snapshot: true },
          req_id: ++reqId,
        });
      });

      ws.onopen = () => {
        result.opened++;
        log.info("kraken ws: connected", { url: o.url, symbols: o.symbols.length });
        o.onOpen?.(attempt);
        armSilence();
        // The instrument channel carries the price/qty precisions the v2 checksum needs.
        send({ method: "subscribe", params: { channel: "instrument", snapshot: true }, req_id: ++reqId });
      };
      ws.onmessage = (e: MessageEvent) => {
        armSilence();
        if (typeof e.data !== "string") return;
        result.frames++;
        o.onFrame?.(e.data, Date.now());
        try {
          for (const ev of o.feed.handleFrame(e.data)) {
            if (ev.kind === "instrument") {
              for (const p of ev.pairs) venueNames.set(p.symbol, p.venueSymbol);
              subscribeMarket();
            } else if (ev.kind === "book") gotData = true;
            else if (ev.kind === "subscription" && !ev.ok && ev.error) {
              log.warn("kraken ws: subscription refused", {
                channel: ev.channel,
                symbol: ev.venueSymbol,
                error: ev.error,
              });
            }
          }
        } catch (err) {
          if (!(err instanceof FrameError)) throw err;
          result.frameErrors++;
          log.error("kraken ws: bad frame", { error: err.message });
        }
      };
      ws.onerror = (e) => {
        log.warn("kraken ws: socket error", { error: (e as ErrorEvent).message ?? "error" });
        result.lastError = (e as ErrorEvent).message || "socket error";
      };
      ws.onclose = (e) => {
        clearTimeout(silenceTimer);
        o.signal.removeEventListener("abort", onAbort);
        log.info("kraken ws: closed", { code: e.code, reason: e.reason || undefined });
        resolve(gotData);
      };
    });
  }
}
