import { isAbsolute, join, resolve } from "node:path";
import type { StreamConfig } from "../../config/sections/stream.ts";
import { checkGroup, checkTopic } from "../topic.ts";

/** The file sink's directory: `stream.file_dir`, relative paths under the data dir. */
export function streamDir(cfg: StreamConfig, dataDir: string): string {
  return isAbsolute(cfg.file_dir) ? cfg.file_dir : resolve(dataDir, cfg.file_dir);
}

/** `<dir>/<topic>.ndjson` — one append-only NDJSON file per topic. */
export function topicFile(cfg: StreamConfig, dataDir: string, topic: string): string {
  checkTopic(topic);
  return join(streamDir(cfg, dataDir), `${topic}.ndjson`);
}

/** `<dir>/<topic>.offsets/<group>.json` — a consumer group's committed byte offset. */
export function offsetFile(cfg: StreamConfig, dataDir: string, topic: string, group: string): string {
  checkTopic(topic);
  checkGroup(group);
  return join(streamDir(cfg, dataDir), `${topic}.offsets`, `${group}.json`);
}
