import { join } from "node:path";
import { registerSecret } from "../log/redact.ts";
import { ConfigError } from "../util/errors.ts";

/**
 * Where a secret comes from. The first that holds it wins:
 *  1. `file` — a file named in the config (`<key>_file`, e.g. a mounted Kubernetes or compose secret);
 *  2. the secrets directory — `$CRYPTORUN_SECRETS_DIR/<env>`: one file per secret, named after the env var it
 *     replaces (a Kubernetes Secret mounted as a volume, compose `secrets:` under /run/secrets);
 *  3. `env` — the environment variable itself.
 * A trailing newline of a file is not part of the value.
 */
export interface SecretRef {
  /** Env var holding the secret (also the file name in the secrets directory). */
  env?: string;
  /** File holding the secret. */
  file?: string;
}

export interface ResolvedSecret {
  value: string | undefined;
  /** Where it came from, for display: never the value. */
  source: string;
  /** The file it was read from, when it was (watched for rotation). */
  path?: string;
}

/** Env var naming the secrets directory. It is not a config override (no section is called `secrets`). */
export const SECRETS_DIR_ENV = "CRYPTORUN_SECRETS_DIR";

async function readSecretFile(path: string, what: string, optional: boolean): Promise<string | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (optional && err instanceof Deno.errors.NotFound) return undefined;
    throw new ConfigError(`${what}: cannot read secret file ${JSON.stringify(path)}: ${(err as Error).name}`);
  }
  return text.replace(/\r?\n$/, "");
}

/**
 * Reads one secret and registers the value with the redactor before returning it, so it can never appear in
 * a log line, an error message or a metric label. Returns `value: undefined` when unset. Every resolved
 * secret is remembered for rotation (src/secrets/rotation.ts).
 */
export async function resolveSecret(
  ref: SecretRef,
  what: string,
  env: Record<string, string> = Deno.env.toObject(),
): Promise<ResolvedSecret> {
  const r = await readSecret(ref, what, env);
  registerSecret(r.value);
  track(what, ref, env, r);
  return r;
}

async function readSecret(
  ref: SecretRef,
  what: string,
  env: Record<string, string>,
): Promise<ResolvedSecret> {
  if (ref.file) {
    const value = await readSecretFile(ref.file, what, false);
    return { value: value || undefined, source: `file ${ref.file}`, path: ref.file };
  }
  const dir = env[SECRETS_DIR_ENV];
  if (dir && ref.env) {
    const path = join(dir, ref.env);
    const value = await readSecretFile(path, what, true);
    if (value !== undefined) return { value: value || undefined, source: `file ${path}`, path };
  }
  if (ref.env) {
    const value = env[ref.env];
    return { value: value || undefined, source: `env ${ref.env}` };
  }
  return { value: undefined, source: "unset" };
}

/** A secret read at least once: how to read it again. */
export interface Tracked {
  what: string;
  ref: SecretRef;
  env: Record<string, string>;
  last: ResolvedSecret;
}

const tracked = new Map<string, Tracked>();

function track(what: string, ref: SecretRef, env: Record<string, string>, last: ResolvedSecret): void {
  tracked.set(what, { what, ref, env, last });
}

/** The secrets read so far (for rotation and tests). */
export function trackedSecrets(): Tracked[] {
  return [...tracked.values()];
}

/** Reads one tracked secret again; registers and records the new value. */
export async function rereadSecret(t: Tracked): Promise<ResolvedSecret> {
  const r = await readSecret(t.ref, t.what, t.env);
  registerSecret(r.value);
  t.last = r;
  return r;
}

/** For tests: forget tracked secrets. */
export function clearTrackedSecrets(): void {
  tracked.clear();
}
