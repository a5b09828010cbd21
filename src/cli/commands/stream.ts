import { loadEntry } from "../../util/entries.ts";
import type { Command, Handler } from "../command.ts";

/** `cryptorun stream`: help, flags and sub-actions (light; the actions live in ./stream/actions.ts). */

const actions = () => loadEntry<typeof import("./stream/actions.ts")>("cli/commands/stream/actions.ts");

export const streamCommand: Command = {
  name: "stream",
  summary: "publish cold-tier history as checksummed envelopes, consume with a DLQ, verify NDJSON files",
  help: `cryptorun stream — checksummed envelopes on a bus (file, Redis Streams, Kafka, Pulsar)

Usage: cryptorun stream publish --from ISO --to ISO [--table ohlcv] [--topic T] [--kind K] [--sink FILE]
                                [--window 1d] [--symbols A,B] [--checkpoint FILE] [--fresh]
       cryptorun stream consume [--topic T] [--kind K] [--sink FILE] [--group G] [--consumer NAME]
                                [--out FILE] [--max N] [--idle DURATION] [--batch N]
       cryptorun stream verify --input FILE.ndjson [--max-failures N]

publish   reads the cold tier window by window (--window) and sends one envelope per row to the topic.
          Resumable: a checkpoint (default <data-dir>/<stream.file_dir>/checkpoints/…) records the next
          window after each acknowledged one; run the same command again after a crash to continue.
consume   validates every envelope; valid new ones go to --out (appended, fsynced; their checksums are
          loaded on start so a re-run never writes one twice; a cut-off last line left by a crash is
          removed first), invalid ones go to <topic>.dlq with the reason; acks only after that. Broker
          errors are retried with exponential backoff.
verify    checks every line of an NDJSON envelope file; prints valid/invalid counts and the reasons;
          exit 1 if any line is invalid.

Flags:
  --from, --to ISO     window to publish (inclusive; ISO-8601 or epoch ms)
  --table NAME         cold-tier table (default ohlcv)
  --topic T            topic (default stream.topic); DLQ is <T>.dlq
  --kind K             file | redis | kafka | pulsar (default stream.kind)
  --sink FILE          file kind only: this NDJSON file instead of <data-dir>/<stream.file_dir>/<topic>.ndjson
                       (its DLQ is FILE with .dlq.ndjson)
  --window DURATION    publish window (default 1d; e.g. 6h, 1d)
  --symbols A,B        only these pairs
  --checkpoint FILE    publish checkpoint file; --fresh deletes it first and starts over
  --group G            consumer group (default cryptorun); --consumer NAME member name (default hostname)
  --out FILE           append valid envelopes here (NDJSON); without it they are only validated and acked
  --max N              stop after N messages; --idle DURATION stop after no message for that long
                       (default: file kind 2s, other kinds run until Ctrl-C)
  --batch N            messages per poll (default 500; at most 100000)
  --input FILE         file for verify; --max-failures N failures listed (default 20; at most 1000000)

Pitfalls:
  - stream.enabled: false refuses publish/consume (exit 2).
  - The Redis URL is a secret: set CRYPTORUN_REDIS_URL (or stream.redis_url_env / _file), never YAML.
  - A checkpoint belongs to one table/topic/range/window/symbols; the default file is also named after the
    destination (kind, or the --sink path). A --checkpoint FILE of another run is refused (or use --fresh).
  - Kafka needs stream.kafka_brokers; Pulsar needs stream.pulsar_ws_url (WebSocket API).

Examples:
  cryptorun stream publish --from 2024-01-01 --to 2024-01-31 --sink /tmp/jan.ndjson
  cryptorun stream verify --input /tmp/jan.ndjson
  CRYPTORUN_REDIS_URL=redis://127.0.0.1:6379 cryptorun stream publish --kind redis --from 2024-01-01 --to 2024-02-01
  CRYPTORUN_REDIS_URL=redis://127.0.0.1:6379 cryptorun stream consume --kind redis --out ohlcv.ndjson --idle 5s
  cryptorun stream consume --json --sink /tmp/jan.ndjson --max 1000`,
  options: {
    table: { type: "string" },
    from: { type: "string" },
    to: { type: "string" },
    topic: { type: "string" },
    kind: { type: "string" },
    sink: { type: "string" },
    window: { type: "string" },
    symbols: { type: "string" },
    checkpoint: { type: "string" },
    fresh: { type: "boolean" },
    group: { type: "string" },
    consumer: { type: "string" },
    out: { type: "string" },
    max: { type: "string" },
    idle: { type: "string" },
    batch: { type: "string" },
    input: { type: "string" },
    "max-failures": { type: "string" },
  },
  actions: [
    {
      name: "publish",
      usage: "cryptorun stream publish --from ISO --to ISO",
      flags: ["table", "from", "to", "topic", "kind", "sink", "window", "symbols", "checkpoint", "fresh"],
      load: async (): Promise<Handler> => (await actions()).publishAction,
    },
    {
      name: "consume",
      usage: "cryptorun stream consume [--topic T]",
      flags: ["topic", "kind", "sink", "group", "consumer", "out", "max", "idle", "batch"],
      load: async (): Promise<Handler> => (await actions()).consumeAction,
    },
    {
      name: "verify",
      usage: "cryptorun stream verify --input FILE.ndjson",
      flags: ["input", "max-failures"],
      load: async (): Promise<Handler> => (await actions()).verifyAction,
    },
  ],
};
