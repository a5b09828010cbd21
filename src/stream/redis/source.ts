/**
 * Consumer side of the Redis Streams backend: XGROUP (created at the stream's start, MKSTREAM),
 * XREADGROUP and XACK. First this member's own pending entries are re-read (a restart after a crash),
 * then entries pending for more than `claimIdleMs` on crashed members are taken over (XAUTOCLAIM), then
 * new entries (`>`). Blocking reads are capped at 1 s so Ctrl-C is honoured promptly.
 *
 * XAUTOCLAIM scans the group's pending list from a cursor and returns the next one ("0-0" once the scan has
 * reached the end). A scan is followed to its end over as many polls as it takes (each poll claims at most
 * `max` and makes at most CLAIM_ROUNDS calls), and a new scan from "0-0" starts at most every
 * min(claimIdleMs, 30 s).
 */
import type { StreamConfig } from "../../config/sections/stream.ts";
import { checkTopic } from "../topic.ts";
import type { Delivery, Source, SourceOptions } from "../source.ts";
import { connectRedis, type RedisClient, redisUrl } from "./connect.ts";

type Entry = [id: string, fields: string[] | null];

/** Most XAUTOCLAIM calls one poll makes while following the cursor (each scans up to 10 × COUNT entries). */
export const CLAIM_ROUNDS = 10;

export async function createSource(
  cfg: StreamConfig,
  _dataDir: string,
  env: Record<string, string>,
  opts: SourceOptions,
): Promise<Source> {
  const client = await connectRedis(await redisUrl(cfg, env));
  try {
    return await redisSource(client, opts, true);
  } catch (err) {
    client.disconnect();
    throw err;
  }
}

export async function redisSource(
  client: RedisClient,
  opts: SourceOptions & { claimIdleMs?: number },
  owns: boolean,
): Promise<Source> {
  checkTopic(opts.topic);
  const claimIdleMs = opts.claimIdleMs ?? 60_000;
  try {
    await client.xgroup("CREATE", opts.topic, opts.group, "0", "MKSTREAM");
  } catch (err) {
    if (!/BUSYGROUP/.test((err as Error).message)) throw err;
  }
  let ownPendingDone = false;
  let lastClaim = 0;
  /** Where the current XAUTOCLAIM scan continues; "0-0" = no scan in progress. */
  let claimCursor = "0-0";

  function toDeliveries(entries: Entry[], toAck: string[]): Delivery[] {
    const out: Delivery[] = [];
    for (const [id, fields] of entries) {
      if (!fields) {
        toAck.push(id); // trimmed away while pending: nothing left to deliver
        continue;
      }
      let text: string | undefined;
      for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === "e") text = fields[i + 1]; // last wins
      if (text === undefined) {
        // A foreign entry without the envelope field: deliver its fields as JSON (it goes to the DLQ).
        const map: Record<string, string> = {};
        for (let i = 0; i + 1 < fields.length; i += 2) map[fields[i]] = fields[i + 1];
        text = JSON.stringify(map);
      }
      out.push({ id, text });
    }
    return out;
  }

  async function read(max: number, id: string, blockMs?: number): Promise<Entry[]> {
    const args: (string | number)[] = ["GROUP", opts.group, opts.consumer, "COUNT", max];
    if (blockMs !== undefined) args.push("BLOCK", blockMs);
    args.push("STREAMS", opts.topic, id);
    // deno-lint-ignore no-explicit-any
    const res = await (client as any).xreadgroup(...args) as [string, Entry[]][] | null;
    return res?.[0]?.[1] ?? [];
  }

  return {
    async poll(max, blockMs, signal) {
      const toAck: string[] = [];
      try {
        if (!ownPendingDone) {
          const mine = toDeliveries(await read(max, "0"), toAck);
          if (mine.length > 0) return mine;
          ownPendingDone = true;
        }
        if (claimCursor !== "0-0" || Date.now() - lastClaim > Math.min(claimIdleMs, 30_000)) {
          if (claimCursor === "0-0") lastClaim = Date.now();
          const claimed: Delivery[] = [];
          for (let round = 0; round < CLAIM_ROUNDS && claimed.length < max; round++) {
            const r = await client.xautoclaim(
              opts.topic,
              opts.group,
              opts.consumer,
              claimIdleMs,
              claimCursor,
              "COUNT",
              max - claimed.length,
            ) as [next: string, entries: Entry[], deleted?: string[]];
            claimed.push(...toDeliveries(r?.[1] ?? [], toAck));
            claimCursor = typeof r?.[0] === "string" ? r[0] : "0-0";
            if (claimCursor === "0-0") break; // the scan reached the end of the pending list
          }
          if (claimed.length > 0) return claimed;
        }
        const deadline = Date.now() + blockMs;
        for (;;) {
          const left = deadline - Date.now();
          if (signal?.aborted || left <= 0) return [];
          const got = toDeliveries(await read(max, ">", Math.max(1, Math.min(1_000, left))), toAck);
          if (got.length > 0) return got;
        }
      } finally {
        if (toAck.length > 0) await client.xack(opts.topic, opts.group, ...toAck);
      }
    },
    async ack(ids) {
      if (ids.length === 0) return;
      for (let i = 0; i < ids.length; i += 1000) {
        await client.xack(opts.topic, opts.group, ...ids.slice(i, i + 1000));
      }
    },
    async close() {
      if (owns) await client.quit().catch(() => client.disconnect());
    },
  };
}
