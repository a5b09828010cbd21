import { stringify } from "yaml";
import { redactValue } from "../log/redact.ts";
import type { Config } from "./schema.ts";
import type { EnvOverride } from "./load.ts";
import { resolveSecret } from "./secrets.ts";

export interface SecretStatus {
  name: string;
  source: string;
  set: boolean;
}

/** Which secrets the config refers to and whether each is set (never the value). */
export async function secretStatuses(cfg: Config, env: Record<string, string>): Promise<SecretStatus[]> {
  const refs: Array<[string, { env?: string; file?: string }]> = [
    ["persistence.dsn", { env: cfg.persistence.dsn_env, file: cfg.persistence.dsn_file }],
    ["stream.redis_url", { env: cfg.stream.redis_url_env, file: cfg.stream.redis_url_file }],
    ["stream.pulsar_token", { env: cfg.stream.pulsar_token_env }],
    ["kraken.api_key", { env: cfg.kraken.api_key_env }],
    ["kraken.api_secret", { env: cfg.kraken.api_secret_env }],
  ];
  const out: SecretStatus[] = [];
  for (const [name, ref] of refs) {
    try {
      const r = await resolveSecret(ref, name, env);
      out.push({ name, source: r.source, set: r.value !== undefined });
    } catch (err) {
      out.push({ name, source: (err as Error).message, set: false });
    }
  }
  return out;
}

/** The effective config as a plain object, secrets redacted, with override and secret notes. */
export async function effectiveConfig(
  cfg: Config,
  overrides: EnvOverride[],
  dataDir: string,
  env: Record<string, string>,
) {
  const { files, ...sections } = cfg;
  return {
    files,
    data_dir: dataDir,
    env_overrides: overrides.map((o) => ({ variable: o.variable, path: o.path })),
    // Only where each secret comes from and whether it is set: never a value.
    secrets: await secretStatuses(cfg, env),
    config: redactValue(sections),
  };
}

export function renderYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0 }).trimEnd();
}
