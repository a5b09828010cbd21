/**
 * The consumer loop (`cryptorun stream consume`): poll a Source, validate every envelope, hand new valid
 * ones to an idempotent handler, send every failure to `<topic>.dlq` with its reason, and only then ack.
 *
 * Guarantees:
 * - nothing is dropped silently: a message is acked only after it was handled, recognised as a duplicate,
 *   or written to the DLQ;
 * - at-least-once from the broker, exactly-once at the handler: envelopes are keyed by checksum and a
 *   checksum already seen is acked without calling the handler again;
 * - broker errors (poll, ack, DLQ send) and handler errors are retried with exponential backoff; bad
 *   data never is (it goes to the DLQ).
 */
import { Buffer } from "node:buffer";
import type { Logger } from "../log/logger.ts";
import { nullLogger } from "../log/logger.ts";
import { anomalyQuarantine, dataConsistencyErrors, envelopesTotal } from "../metrics/metrics.ts";
import {
  decodeValid,
  type Envelope,
  EnvelopeError,
  type EnvelopeErrorKind,
  makeEnvelope,
  SYMBOL_RE,
  TS_RE,
} from "./envelope.ts";
import type { Producer } from "./producer.ts";
import { dlqTopic } from "./topic.ts";
import { DEFAULT_RETRY, type RetryPolicy, withRetry } from "./retry.ts";
import type { Delivery, Source } from "./source.ts";
import { checkTime } from "../util/time.ts";

/** Checksums already handled (bounded, oldest forgotten first). */
export class SeenSet {
  #set = new Set<string>();
  constructor(readonly max = 1_000_000) {}
  has(c: string): boolean {
    return this.#set.has(c);
  }
  add(c: string): void {
    if (this.#set.has(c)) return;
    this.#set.add(c);
    if (this.#set.size > this.max) this.#set.delete(this.#set.values().next().value!);
  }
  get size(): number {
    return this.#set.size;
  }
}

/** The DLQ record (payload of the DLQ envelope). */
export interface DlqRecord {
  topic: string;
  /** Backend message id of the failed message. */
  id: string;
  kind: EnvelopeErrorKind;
  field: string;
  reason: string;
  /** The message exactly as received (lossily decoded, U+FFFD per bad sequence, when not valid UTF-8). */
  raw: string;
  /** Only for a message that is not valid UTF-8: its exact bytes, base64 (RFC 4648, with padding). */
  raw_base64?: string;
}

/** Source of DLQ envelopes. */
export const DLQ_SOURCE = "cryptorun.dlq";

/**
 * The DLQ envelope for a failed message: itself a valid envelope (so DLQ readers verify it too) whose
 * payload is a DlqRecord. It is deterministic (ts = the message's ts when readable, else epoch 0), so a
 * redelivered failure produces the same checksum and DLQ readers can de-duplicate.
 */
export function dlqEnvelope(topic: string, d: Delivery, err: EnvelopeError): Envelope {
  let ts = 0;
  let symbol = "UNKNOWN";
  try {
    const o = JSON.parse(d.text);
    const t = typeof o?.ts === "string" && TS_RE.test(o.ts) ? checkTime(o.ts) : undefined;
    if (t?.ok) ts = t.ms;
    if (typeof o?.symbol === "string" && SYMBOL_RE.test(o.symbol)) symbol = o.symbol;
  } catch { /* not JSON: keep the defaults */ }
  const record: DlqRecord = {
    topic,
    id: d.id,
    kind: err.kind,
    field: err.field,
    reason: err.message,
    raw: d.text,
  };
  if (d.bytes) record.raw_base64 = Buffer.from(d.bytes).toString("base64");
  return makeEnvelope({ ts, symbol, source: DLQ_SOURCE, payload: record });
}

/** Decodes and validates one delivery: the envelope, or the reason it failed. */
export function check(d: Delivery): { ok: true; envelope: Envelope } | { ok: false; error: EnvelopeError } {
  if (d.bytes) {
    return {
      ok: false,
      error: new EnvelopeError("malformed", "(envelope)", `not valid UTF-8 (${d.bytes.length} bytes)`),
    };
  }
  try {
    return { ok: true, envelope: decodeValid(d.text) };
  } catch (err) {
    if (err instanceof EnvelopeError) return { ok: false, error: err };
    throw err;
  }
}

export interface ConsumeStats {
  delivered: number;
  /** New valid envelopes given to the handler. */
  handled: number;
  /** Valid envelopes whose checksum was already handled (redeliveries, republished windows). */
  duplicates: number;
  /** Sent to the DLQ. */
  dlq: number;
  /** DLQ count per reason. */
  reasons: Partial<Record<EnvelopeErrorKind, number>>;
}

export interface ConsumeOptions {
  source: Source;
  /** Where failures go (`<topic>.dlq`). */
  dlq: Producer;
  topic: string;
  /** Handles new valid envelopes (must be safe to call again with the same batch after a failure). */
  handle(envelopes: Envelope[]): Promise<void>;
  /** Backend name for metrics. */
  kind: string;
  seen?: SeenSet;
  batch?: number;
  /** Longest single wait for messages (ms). */
  blockMs?: number;
  /** Stop after this many delivered messages. */
  maxMessages?: number;
  /** Stop after no message for this long (ms); 0 = never. */
  idleMs?: number;
  retry?: RetryPolicy;
  log?: Logger;
  signal?: AbortSignal;
  onProgress?(stats: ConsumeStats): void;
}

/** Runs the consumer loop until aborted, `maxMessages`, or `idleMs` without messages. */
export async function consume(o: ConsumeOptions): Promise<ConsumeStats> {
  const log = o.log ?? nullLogger;
  const seen = o.seen ?? new SeenSet();
  const batch = o.batch ?? 500;
  const blockMs = o.blockMs ?? 1_000;
  const dlqName = dlqTopic(o.topic);
  const stats: ConsumeStats = { delivered: 0, handled: 0, duplicates: 0, dlq: 0, reasons: {} };
  const retry = { policy: o.retry ?? DEFAULT_RETRY, log, signal: o.signal };
  let lastMessage = Date.now();

  while (!o.signal?.aborted) {
    if (o.maxMessages !== undefined && stats.delivered >= o.maxMessages) break;
    const want = o.maxMessages !== undefined ? Math.min(batch, o.maxMessages - stats.delivered) : batch;
    const wait = o.idleMs ? Math.min(blockMs, Math.max(1, lastMessage + o.idleMs - Date.now())) : blockMs;
    const got = await withRetry("poll", () => o.source.poll(want, wait, o.signal), retry);
    if (got.length === 0) {
      if (o.idleMs && Date.now() - lastMessage >= o.idleMs) break;
      continue;
    }
    lastMessage = Date.now();
    stats.delivered += got.length;

    const fresh: Envelope[] = [];
    const freshSums = new Set<string>();
    const failures: Envelope[] = [];
    for (const d of got) {
      const r = check(d);
      if (r.ok) {
        const sum = r.envelope.checksum;
        if (seen.has(sum) || freshSums.has(sum)) {
          stats.duplicates++;
        } else {
          freshSums.add(sum);
          fresh.push(r.envelope);
        }
      } else {
        failures.push(dlqEnvelope(o.topic, d, r.error));
        stats.reasons[r.error.kind] = (stats.reasons[r.error.kind] ?? 0) + 1;
        dataConsistencyErrors.inc({ check: `envelope_${r.error.kind}` });
        log.warn("invalid envelope sent to DLQ", { topic: o.topic, id: d.id, reason: r.error.message });
      }
    }
    if (fresh.length > 0) await withRetry("handle", () => o.handle(fresh), retry);
    for (const s of freshSums) seen.add(s);
    if (failures.length > 0) {
      await withRetry("dlq send", () => o.dlq.send(dlqName, failures), retry);
      anomalyQuarantine.inc({ kind: "stream_dlq" }, failures.length);
      envelopesTotal.inc({ kind: o.kind, direction: "dlq", topic: o.topic }, failures.length);
    }
    await withRetry("ack", () => o.source.ack(got.map((d) => d.id)), retry);
    envelopesTotal.inc({ kind: o.kind, direction: "consumed", topic: o.topic }, got.length);
    stats.handled += fresh.length;
    stats.dlq += failures.length;
    o.onProgress?.(stats);
  }
  return stats;
}
