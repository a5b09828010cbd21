import { UsageError } from "../util/errors.ts";

/**
 * Topic and consumer-group names, shared by every stream backend (file, Redis, Kafka, Pulsar) and the CLI.
 * One module that imports no backend, so a backend never imports another one for a name check.
 */

/** Topic (and group) names: letters, digits, `. _ -` (valid on Kafka, Pulsar, Redis and as a file name). */
export const TOPIC_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/;

/** The dead-letter topic of a topic. */
export function dlqTopic(topic: string): string {
  return `${topic}.dlq`;
}

/** A UsageError naming --topic unless `topic` is a valid topic name. */
export function checkTopic(topic: string): void {
  if (!TOPIC_RE.test(topic)) {
    throw new UsageError(
      `--topic: expected letters, digits, '.', '_' or '-' (max 201), found ${JSON.stringify(topic)}`,
    );
  }
}

/** A UsageError naming --group unless `group` is a valid consumer-group name. */
export function checkGroup(group: string): void {
  if (!TOPIC_RE.test(group)) {
    throw new UsageError(
      `--group: expected letters, digits, '.', '_' or '-', found ${JSON.stringify(group)}`,
    );
  }
}
