import { registerSecret } from "../log/redact.ts";
import { ConfigError } from "../util/errors.ts";

export interface SecretRef {
  /** Env var holding the secret. */
  env?: string;
  /** File holding the secret (trailing newline trimmed). */
  file?: string;
}

export interface ResolvedSecret {
  value: string | undefined;
  /** Where it came from, for display: never the value. */
  source: string;
}

/**
 * Reads a secret from a file (wins when configured) or an env var, and registers the value with the
 * redactor so it can never appear in a log line or error message. Returns `undefined` when unset.
 */
export async function resolveSecret(
  ref: SecretRef,
  what: string,
  env: Record<string, string> = Deno.env.toObject(),
): Promise<ResolvedSecret> {
  if (ref.file) {
    let text: string;
    try {
      text = await Deno.readTextFile(ref.file);
    } catch (err) {
      throw new ConfigError(
        `${what}: cannot read secret file ${JSON.stringify(ref.file)}: ${(err as Error).name}`,
      );
    }
    const value = text.replace(/\r?\n$/, "");
    registerSecret(value);
    return { value: value || undefined, source: `file ${ref.file}` };
  }
  if (ref.env) {
    const value = env[ref.env];
    registerSecret(value);
    return { value: value || undefined, source: `env ${ref.env}` };
  }
  return { value: undefined, source: "unset" };
}
