import { loadConfig } from "../../src/config/load.ts";
import { secretEnvNames } from "../../src/deploy/env_keys.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/**
 * The variables of `env` the real config loader does not accept: neither applied as a
 * `CRYPTORUN_<SECTION>_<KEY>` override nor a secret's env var name (or the secrets directory). The loader
 * itself throws (a ConfigError naming the variable) for a known section with an unknown key or a bad value.
 */
export async function unacceptedEnv(env: Record<string, string>): Promise<string[]> {
  const { config, overrides } = await loadConfig({ configPath: `${ROOT}config/cryptorun.yaml`, env });
  const ok = new Set([...overrides.map((o) => o.variable), ...secretEnvNames(config)]);
  return Object.keys(env).filter((k) => !ok.has(k)).sort();
}
