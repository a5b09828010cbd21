/**
 * The validated-config cache: what `loadConfig` returned for the same inputs, without loading yaml, zod and
 * the schemas again (~160 ms of a short command's start, issue #21). An entry is used only when everything
 * `loadConfig` reads is the same:
 *
 * - the loader itself: CONFIG_FINGERPRINT (its module graph and yaml/zod versions) and the release VERSION;
 * - the config path as given, whether it was given (`--config`), and the exact bytes of that file and of
 *   data_sources.yaml beside it (absent is part of the key);
 * - the NAMES of every CRYPTORUN_* variable, and the raw value of each that was applied as an override.
 *
 * Values of the other CRYPTORUN_* variables do not change the result (secrets and unknown sections are never
 * applied; a known section with an unknown key is an error, which is never cached), so no secret's value is
 * read into the key or stored. An entry holds the config (file paths and `*_env`/`*_file` names, never a
 * secret: YAML refuses secret keys) and the applied overrides. Entries live in
 * `$XDG_CACHE_HOME/cryptorun/config/` (else `~/.cache/…`), written atomically (temporary file + rename,
 * mode 0600), each with the SHA-256 of its body, at most MAX_ENTRIES kept. Anything unreadable, foreign,
 * stale or failing its checksum is a miss (and is rewritten); a write that fails
 * is ignored. `CRYPTORUN_CONFIG_CACHE=off` turns the cache off.
 */
import type { EnvOverride } from "./load.ts";
import type { Config } from "./schema.ts";
import { CONFIG_FINGERPRINT } from "./fingerprint.ts";
import { VERSION } from "../cli/version.ts";
import { dirname, join } from "node:path";
import { sha256Hex } from "../util/sha256_hex.ts";

export interface LoadInputs {
  configPath?: string;
  explicit?: boolean;
  env: Record<string, string>;
}

export interface Loaded {
  config: Config;
  overrides: EnvOverride[];
}

/** The loader's defaults, restated here so a hit loads nothing of it (tests/config/cache_test.ts compares). */
export const DEFAULT_CONFIG_PATH = "config/cryptorun.yaml";
export const SOURCES_FILE_NAME = "data_sources.yaml";
const ENV_PREFIX = "CRYPTORUN_";
export const MAX_ENTRIES = 64;
const FORMAT = "cryptorun-config-cache/2";

/** An entry file: the body (JSON text of `Body`) and its SHA-256, checked before the body is believed. */
interface Entry {
  format: typeof FORMAT;
  key: string;
  sha256: string;
  body: string;
}

interface Body {
  /** Raw env value of every variable applied as an override. */
  overrideRaw: Record<string, string>;
  loaded: Loaded;
}

/** Where entries live; undefined: no cache (turned off, or no home/cache directory known). */
export function cacheDir(env: Record<string, string>): string | undefined {
  if (env.CRYPTORUN_CONFIG_CACHE === "off") return undefined;
  // The XDG base-directory spec: a relative XDG_CACHE_HOME is invalid and ignored.
  const xdg = env.XDG_CACHE_HOME?.startsWith("/") ? env.XDG_CACHE_HOME : "";
  const base = xdg || (env.HOME?.startsWith("/") ? `${env.HOME}/.cache` : "");
  return base ? `${base}/cryptorun/config` : undefined;
}

/** A file's bytes; null when it does not exist; undefined when it cannot be read (the loader reports it). */
async function bytesOf(path: string): Promise<Uint8Array | null | undefined> {
  try {
    return await Deno.readFile(path);
  } catch (err) {
    return err instanceof Deno.errors.NotFound ? null : undefined;
  }
}

/** The loader's data_sources.yaml path for a config path (src/config/load.ts). */
const sourcesPathOf = (configPath: string) => join(dirname(configPath), SOURCES_FILE_NAME);

/** The key of these inputs (hex SHA-256), or undefined when a file cannot be read. */
export async function cacheKey(inp: LoadInputs): Promise<string | undefined> {
  const configPath = inp.configPath ?? DEFAULT_CONFIG_PATH;
  const main = await bytesOf(configPath);
  const sources = await bytesOf(sourcesPathOf(configPath));
  if (main === undefined || sources === undefined) return undefined;
  const names = Object.keys(inp.env).filter((k) => k.startsWith(ENV_PREFIX)).sort();
  const head = JSON.stringify([
    FORMAT,
    VERSION,
    CONFIG_FINGERPRINT,
    configPath,
    inp.explicit === true,
    main === null ? -1 : main.length,
    sources === null ? -1 : sources.length,
    names,
  ]);
  const h = new TextEncoder().encode(head + "\n");
  const all = new Uint8Array(h.length + (main?.length ?? 0) + (sources?.length ?? 0));
  all.set(h);
  if (main) all.set(main, h.length);
  if (sources) all.set(sources, h.length + (main?.length ?? 0));
  return await sha256Hex(all);
}

/** The cached result for these inputs, or undefined (a miss). */
export async function readCached(inp: LoadInputs): Promise<{ loaded?: Loaded; key?: string }> {
  const dir = cacheDir(inp.env);
  if (dir === undefined) return {};
  const key = await cacheKey(inp);
  if (key === undefined) return {};
  let body: Body;
  try {
    const entry = JSON.parse(await Deno.readTextFile(`${dir}/${key}.json`)) as Entry;
    // A flipped byte in the body (a digit of a threshold) must not become a silently different config.
    if (
      entry?.format !== FORMAT || entry.key !== key || typeof entry.body !== "string" ||
      entry.sha256 !== await sha256Hex(entry.body)
    ) {
      return { key };
    }
    body = JSON.parse(entry.body);
  } catch {
    return { key };
  }
  if (
    typeof body?.overrideRaw !== "object" || body.overrideRaw === null ||
    typeof body.loaded?.config !== "object" || !Array.isArray(body.loaded.overrides)
  ) {
    return { key };
  }
  for (const [name, raw] of Object.entries(body.overrideRaw)) {
    if (inp.env[name] !== raw) return { key };
  }
  return { loaded: body.loaded, key };
}

/**
 * Stores a successful load under `key`, the key computed before loading (best effort: a cache that cannot be
 * written is no cache). Nothing is stored when the files changed while they were loaded.
 */
export async function writeCached(inp: LoadInputs, key: string, loaded: Loaded): Promise<void> {
  const dir = cacheDir(inp.env);
  if (dir === undefined || (await cacheKey(inp)) !== key) return;
  const overrideRaw: Record<string, string> = {};
  for (const o of loaded.overrides) overrideRaw[o.variable] = inp.env[o.variable];
  const text = JSON.stringify({ overrideRaw, loaded } satisfies Body);
  const entry: Entry = { format: FORMAT, key, sha256: await sha256Hex(text), body: text };
  const tmp = `${dir}/.${key}.${crypto.randomUUID()}.tmp`;
  try {
    await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
    await Deno.writeTextFile(tmp, JSON.stringify(entry), { mode: 0o600 });
    await Deno.rename(tmp, `${dir}/${key}.json`);
    await prune(dir);
  } catch {
    await Deno.remove(tmp).catch(() => {});
  }
}

/** Keeps the MAX_ENTRIES newest entries. */
async function prune(dir: string): Promise<void> {
  const entries: { path: string; mtime: number }[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (!e.isFile || !e.name.endsWith(".json")) continue;
    const path = `${dir}/${e.name}`;
    const st = await Deno.stat(path).catch(() => undefined);
    if (st) entries.push({ path, mtime: st.mtime?.getTime() ?? 0 });
  }
  if (entries.length <= MAX_ENTRIES) return;
  entries.sort((a, b) => b.mtime - a.mtime);
  for (const e of entries.slice(MAX_ENTRIES)) await Deno.remove(e.path).catch(() => {});
}
