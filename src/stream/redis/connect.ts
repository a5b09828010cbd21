import { Redis } from "ioredis";
import type { StreamConfig } from "../../config/sections/stream.ts";
import { resolveSecret } from "../../config/secrets.ts";
import { redact } from "../../log/redact.ts";
import { ConfigError } from "../../util/errors.ts";

export type RedisClient = Redis;

/** The Redis URL (a secret: may hold a password) from `stream.redis_url_file` or `stream.redis_url_env`. */
export async function redisUrl(cfg: StreamConfig, env: Record<string, string>): Promise<string> {
  const s = await resolveSecret(
    { env: cfg.redis_url_env, file: cfg.redis_url_file },
    "stream.redis_url",
    env,
  );
  if (!s.value) {
    throw new ConfigError(
      `stream.kind is redis but the Redis URL is not set: set ${
        cfg.redis_url_file ? `the file ${cfg.redis_url_file}` : `the env var ${cfg.redis_url_env}`
      } (e.g. redis://127.0.0.1:6379)`,
    );
  }
  if (!/^rediss?:\/\//.test(s.value)) {
    throw new ConfigError(
      `stream.redis_url (${s.source}): expected redis://… or rediss://…, found ${redact(s.value)}`,
    );
  }
  return s.value;
}

/**
 * Connects with settings that fail fast when the server is missing (3 reconnect attempts, then the
 * command fails) instead of queueing commands forever; commands are retried by the caller's backoff.
 */
export async function connectRedis(url: string): Promise<RedisClient> {
  let lastError = "";
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 2,
    connectTimeout: 5_000,
    enableOfflineQueue: true,
    retryStrategy: (times: number) => (times > 3 ? null : Math.min(times * 200, 1_000)),
  });
  client.on("error", (err: Error) => {
    lastError = err.message;
  });
  try {
    await client.connect();
  } catch (err) {
    client.disconnect();
    // The URL is a secret: only its host and port are ever shown.
    let where = "the configured Redis URL";
    try {
      const u = new URL(url);
      where = `${u.hostname}:${u.port || "6379"}`;
    } catch { /* keep the placeholder */ }
    throw new Error(`redis: cannot connect to ${where}: ${redact(lastError || (err as Error).message)}`);
  }
  return client;
}
